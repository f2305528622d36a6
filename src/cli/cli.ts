import { NestFactory } from '@nestjs/core';
import { CliModule } from './cli.module';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/errors/domain.exception';
import { UsersService } from '../users/users.service';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  grant-admin <userId>   give a user the admin role`;

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
