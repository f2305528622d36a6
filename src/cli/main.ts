import 'dotenv/config';
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config';
import { runCli } from './cli';

async function main(): Promise<void> {
  try {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
    process.exitCode = await runCli(process.argv.slice(2), config);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  }
}

void main();
