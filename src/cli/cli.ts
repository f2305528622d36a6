import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { CliModule } from './cli.module';
import { DemoSeed } from './demo-seed';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/errors/domain.exception';
import { UsersService } from '../users/users.service';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  grant-admin <userId>   give a user the admin role
  seed-demo [--stories <n>] [--photo-width <px>]
                         demo users, guides, stories with photos, likes, comments, a chat,
                         a review and a report (npm run seed:demo); not in production`;

/** Options of seed-demo: `--stories 60 --photo-width 960`; null when they do not parse. */
function seedOptions(args: string[]): { stories?: number; photoWidth?: number } | null {
  const options: { stories?: number; photoWidth?: number } = {};
  for (let i = 0; i < args.length; i += 2) {
    const value = Number(args[i + 1]);
    if (!Number.isInteger(value)) return null;
    if (args[i] === '--stories' && value >= 0 && value <= 1000) options.stories = value;
    else if (args[i] === '--photo-width' && value >= 16 && value <= 4000)
      options.photoWidth = value;
    else return null;
  }
  return options;
}

/**
 * Demo data through the whole application's services (the region seed included), refused in
 * production. With Redis, jobs it causes are left to the workers.
 */
async function seedDemo(
  args: string[],
  config: AppConfig,
  out: (line: string) => void,
): Promise<number> {
  if (config.env === 'production') {
    out(
      'seed-demo refuses to run in production (NODE_ENV=production): demo data is for development and QA',
    );
    return 1;
  }
  const options = seedOptions(args);
  if (options === null) {
    out(USAGE);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, processRole: config.redisUrl ? 'api' : 'all' }),
    { logger: ['error', 'warn'] },
  );
  try {
    await new DemoSeed(app).run({ ...options, out });
    return 0;
  } finally {
    await app.close();
  }
}

/**
 * Runs one maintenance command against the configured database, through the same services
 * the API uses. Returns the process exit code.
 */
export async function runCli(
  argv: string[],
  config: AppConfig,
  out: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'seed-demo') return seedDemo(args, config, out);
  if (command !== 'grant-admin' || args.length !== 1) {
    out(USAGE);
    return 2;
  }
  if (!/^\d+$/.test(args[0])) {
    out(`userId must be a number, got "${args[0]}"`);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: false,
  });
  try {
    const user = await app.get(UsersService).grantAdmin(Number(args[0]));
    out(`User ${user.id} (${user.nickname}) is now an admin`);
    return 0;
  } catch (error) {
    if (!(error instanceof DomainException)) throw error;
    out(error.message);
    return 1;
  } finally {
    await app.close();
  }
}
