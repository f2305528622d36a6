import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { freshDatabase } from './support/test-app';

const onMysql = process.env.DATABASE_URL ? describe : describe.skip;

/** The migrations are the only source of the MySQL schema; they must match the entities. */
onMysql('migrations (MySQL/MariaDB)', () => {
  let drop: () => Promise<void>;
  let dataSource: DataSource;

  beforeAll(async () => {
    const database = await freshDatabase();
    drop = database.drop;
    // read the schema back with the dialect of the server actually running
    const url = new URL(database.env.DATABASE_URL);
    const probe = await createConnection(url.toString());
    const [[{ version }]] = (await probe.query('SELECT VERSION() AS version')) as unknown as [
      { version: string }[],
    ];
    await probe.end();
    if (/mariadb/i.test(version)) url.protocol = 'mariadb:';
    const config = loadConfig({ DATABASE_URL: url.toString(), DB_MIGRATIONS_RUN: 'false' });
    dataSource = new DataSource(buildDataSourceOptions(config));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await drop();
  });

  it('build exactly the schema the entities describe', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('revert cleanly, all the way down, and apply again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = (await dataSource.query('SHOW TABLES')) as Record<string, string>[];
    expect(tables.map((row) => Object.values(row)[0])).toEqual(['migrations']);
    await dataSource.runMigrations({ transaction: 'each' });
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
