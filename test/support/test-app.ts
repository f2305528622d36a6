import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { KakaoStub } from './kakao-stub';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes a test run's keys (only those under its prefix: the Redis is shared). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis is not there: nothing of ours is either
  } finally {
    redis.disconnect();
  }
}

/**
 * A Redis key prefix of its own (job queues, rate-limit counters) for one test app or a group
 * of instances that must share it: suites and other runs on the same Redis never see each
 * other's jobs.
 */
export function uniqueRedisPrefix(): string {
  return `sbtest-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Where the app reaches the database server, when not at DATABASE_URL's own address. */
export interface DatabaseRoute {
  /** e.g. a test/support/tcp-proxy.ts TcpProxy in front of the server */
  via?: { host: string; port: number };
}

/**
 * A fresh database for one suite: a new MariaDB/MySQL database on the server named by
 * DATABASE_URL when it is set (dropped afterwards), otherwise a new SQLite file.
 * `route.via` changes only the address in the returned env (the app's); creating and
 * dropping the database always talk to the server directly.
 */
export async function freshDatabase(route: DatabaseRoute = {}): Promise<{
  env: Record<string, string>;
  drop(): Promise<void>;
}> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'storybook-db-'));
    return {
      env: { SQLITE_PATH: join(dir, 'test.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = new URL(base);
  const name = `${url.pathname.slice(1) || 'storybook'}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async () => {
    const server = new URL(base);
    server.pathname = '/';
    return createConnection(server.toString());
  };
  const connection = await admin();
  await connection.query(
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await connection.end();
  url.pathname = `/${name}`;
  if (route.via) {
    url.hostname = route.via.host;
    url.port = String(route.via.port);
  }
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const c = await admin();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  kakao: KakaoStub;
  baseUrl: string;
  dataSource: DataSource;
  uploadDir: string;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real application (the same `createApp` as main.ts) on a fresh database, listening on
 * a loopback port, with a stub Kakao server. `env` overrides the test defaults; `database`
 * can route the app's database connections (MySQL/MariaDB) through another address.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  database: DatabaseRoute = {},
): Promise<TestApp> {
  const kakao = await new KakaoStub().start();
  const fresh = await freshDatabase(database);
  const uploadDir = mkdtempSync(join(tmpdir(), 'storybook-uploads-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    AUTH_DEV_LOGIN: 'true',
    RATE_LIMIT_ENABLED: 'false',
    KAKAO_CLIENT_ID: kakao.clientId,
    KAKAO_API_URL: kakao.url,
    KAKAO_AUTH_URL: kakao.url,
    KAKAO_TIMEOUT_MS: '1000',
    UPLOAD_DIR: uploadDir,
    REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    ...fresh.env,
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    config,
    kakao,
    baseUrl: `http://127.0.0.1:${port}`,
    dataSource: app.get(DataSource),
    uploadDir,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await kakao.stop();
      await fresh.drop();
      if (config.redisUrl) await dropRedisPrefix(config.redisKeyPrefix);
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** The variables that put another process on `t`'s database (SQLite file or MariaDB). */
export function databaseEnvOf(t: Pick<TestApp, 'config'>): Record<string, string> {
  const db = t.config.database;
  return db.type === 'sqlite'
    ? { SQLITE_PATH: db.path }
    : { DATABASE_URL: db.flavor === 'mariadb' ? db.url.replace(/^mysql:/, 'mariadb:') : db.url };
}

/** The environment `t` was started with, less its upload folder: for more instances of it. */
export function siblingEnv(t: TestApp, env: Record<string, string> = {}): Record<string, string> {
  const c = t.config;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: c.jwt.secret,
    AUTH_DEV_LOGIN: 'true',
    RATE_LIMIT_ENABLED: 'false',
    KAKAO_CLIENT_ID: t.kakao.clientId,
    KAKAO_API_URL: t.kakao.url,
    KAKAO_AUTH_URL: t.kakao.url,
    KAKAO_TIMEOUT_MS: '1000',
    REDIS_KEY_PREFIX: c.redisKeyPrefix,
    ...(c.redisUrl ? { REDIS_URL: c.redisUrl } : {}),
    ...databaseEnvOf(t),
    ...env,
  };
}

/** One more instance of the app on `t`'s database, with an upload folder of its own. */
export interface SiblingApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  uploadDir: string;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function createSiblingApp(
  t: TestApp,
  env: Record<string, string> = {},
): Promise<SiblingApp> {
  const uploadDir = mkdtempSync(join(tmpdir(), 'storybook-uploads-'));
  const config = loadConfig(siblingEnv(t, { UPLOAD_DIR: uploadDir, ...env }));
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    uploadDir,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}
