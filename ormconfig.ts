import 'dotenv/config';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

/** The DataSource of the TypeORM CLI (migration:generate / run / revert); needs DATABASE_URL. */
export default new DataSource(buildDataSourceOptions(loadConfig(process.env)));
