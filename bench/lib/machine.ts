/** What a report says about the machine and the software it ran on. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as mysql from 'mysql2/promise';
import { MARIADB, ROOT } from './common';

function packageVersion(name: string): string {
  try {
    const json = readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(json) as { version: string }).version;
  } catch {
    return '?';
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

export async function mariadbVersion(): Promise<string | null> {
  try {
    const connection = await mysql.createConnection({ ...MARIADB, connectTimeout: 2000 });
    const [rows] = await connection.query('SELECT VERSION() AS v');
    await connection.end();
    return String((rows as { v: string }[])[0].v);
  } catch {
    return null;
  }
}

export async function machineLines(): Promise<string[]> {
  const cpu = cpus();
  const sqlite = new Database(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();
  const mariadb = await mariadbVersion();
  return [
    `CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Linux ${release()}`,
    `Node ${process.version}; SQLite ${sqliteVersion} (better-sqlite3 ${packageVersion('better-sqlite3')}); ` +
      `MariaDB ${mariadb ?? 'not reachable'} (mysql2 ${packageVersion('mysql2')})`,
    `NestJS ${packageVersion('@nestjs/core')}, Express ${packageVersion('express')}, TypeORM ${packageVersion('typeorm')}, ` +
      `Socket.IO ${packageVersion('socket.io')}, autocannon ${packageVersion('autocannon')}, sharp ${packageVersion('sharp')}`,
  ];
}
