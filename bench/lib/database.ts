/**
 * Scratch databases: a fresh SQLite file, or a fresh MariaDB database (created here, dropped
 * after), and a small client the runner uses to seed and inspect them.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import * as mysql from 'mysql2/promise';
import { DbKind, MARIADB, TempDir } from './common';

export interface SqlClient {
  readonly kind: DbKind;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<void>;
  /** Inserts many rows, in chunks and in transactions. */
  insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

class SqliteClient implements SqlClient {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...params) as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    this.db.prepare(sql).run(...params);
  }

  async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    const statement = this.db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    const insertAll = this.db.transaction((batch: unknown[][]) => {
      for (const row of batch) statement.run(...row.map((v) => (typeof v === 'boolean' ? +v : v)));
    });
    insertAll(rows);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

class MariadbClient implements SqlClient {
  readonly kind = 'mariadb' as const;

  constructor(private readonly connection: mysql.Connection) {}

  static async open(database: string): Promise<MariadbClient> {
    return new MariadbClient(
      await mysql.createConnection({ ...MARIADB, database, timezone: 'Z', charset: 'utf8mb4' }),
    );
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.connection.query(sql, params);
    return rows as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    await this.connection.query(sql, params);
  }

  async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    await this.connection.beginTransaction();
    for (let i = 0; i < rows.length; i += 1000) {
      await this.connection.query(`${head}?`, [rows.slice(i, i + 1000)]);
    }
    await this.connection.commit();
  }

  async close(): Promise<void> {
    await this.connection.end();
  }
}

/** MariaDB databases created and not dropped yet, for the runner's cleanup on errors. */
const undropped = new Map<string, () => Promise<void>>();

export async function dropScratchDatabases(): Promise<void> {
  for (const drop of [...undropped.values()]) await drop().catch(() => undefined);
}

export interface ScratchDb {
  kind: DbKind;
  /** What the app needs in its environment to use this database. */
  env: Record<string, string>;
  /** SQLite: the file. */
  sqlitePath?: string;
  /** MariaDB: the database name. */
  database?: string;
  connect(): Promise<SqlClient>;
  drop(): Promise<void>;
}

/** A fresh SQLite file in `dir`, or a fresh MariaDB database named after `label`. */
export async function createScratchDb(
  kind: DbKind,
  dir: TempDir,
  label: string,
): Promise<ScratchDb> {
  if (kind === 'sqlite') {
    const path = dir.join(`${label}-${randomBytes(3).toString('hex')}.sqlite`);
    return {
      kind,
      env: { SQLITE_PATH: path, DATABASE_URL: '' },
      sqlitePath: path,
      connect: async () => new SqliteClient(path),
      drop: async () => undefined, // the temp dir goes as a whole
    };
  }
  const database = `bench_${label.replace(/\W/g, '_')}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = await mysql.createConnection({ ...MARIADB });
  await admin.query(
    `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.end();
  const drop = async () => {
    undropped.delete(database);
    const connection = await mysql.createConnection({ ...MARIADB });
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  };
  undropped.set(database, drop);
  return {
    kind,
    env: { DATABASE_URL: `mariadb://${MARIADB.user}@${MARIADB.host}:${MARIADB.port}/${database}` },
    database,
    connect: () => MariadbClient.open(database),
    drop,
  };
}
