import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import type { AuthUser } from '../../src/common/decorators/current-user.decorator';
import { UsersService } from '../../src/users/users.service';
import { TEST_JWT_SECRET } from './test-app';

/**
 * The application's modules without HTTP or sockets, on a fresh SQLite file: for unit tests
 * of services against a real data source (their repositories and the services they call are
 * the real ones).
 */
export interface AppContext {
  app: INestApplicationContext;
  dataSource: DataSource;
  get<T>(type: new (...args: never[]) => T): T;
  /** A new active user (role `user`, or `admin`). */
  user(role?: 'user' | 'admin'): Promise<AuthUser>;
  close(): Promise<void>;
}

let sequence = 0;

export async function createAppContext(env: Record<string, string> = {}): Promise<AppContext> {
  const dir = mkdtempSync(join(tmpdir(), 'storybook-context-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_ENABLED: 'false',
    SQLITE_PATH: join(dir, 'test.sqlite'),
    UPLOAD_DIR: join(dir, 'uploads'),
    ...env,
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: false,
  });
  const users = app.get(UsersService);
  return {
    app,
    dataSource: app.get(DataSource),
    get: (type) => app.get(type),
    user: async (role = 'user') => {
      sequence += 1;
      const created = await users.upsertFromProfile(
        {
          kakaoId: `${process.pid}${String(sequence).padStart(6, '0')}`,
          nickname: `user${sequence}`,
          profileImageUrl: null,
          email: null,
        },
        role === 'admin',
      );
      return { id: created.id, role: created.role, status: created.status };
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
