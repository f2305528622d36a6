import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerOptions,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AppConfig, RateLimit } from '../../config/app-config';
import type { AuthUser } from '../decorators/current-user.decorator';
import { NO_RATE_LIMIT, RATE_LIMIT_GROUP, RateLimitGroup } from '../decorators/auth.decorator';
import { DomainException } from '../errors/domain.exception';
import { SharedThrottlerStorage } from './shared-throttler-storage';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
type Group = RateLimitGroup | typeof NO_RATE_LIMIT | undefined;
/** Not counted as writes of a user: sign-ins (per IP, before there is a user), and no limit. */
const NOT_WRITES = new Set<Group>(['auth', 'devLogin', NO_RATE_LIMIT]);

function groupOf(context: ExecutionContext): Group {
  return (
    Reflect.getMetadata(RATE_LIMIT_GROUP, context.getHandler()) ??
    Reflect.getMetadata(RATE_LIMIT_GROUP, context.getClass())
  );
}

function requestOf(context: ExecutionContext): Request & { user?: AuthUser } {
  return context.switchToHttp().getRequest();
}

function throttler(
  enabled: boolean,
  name: string,
  limit: RateLimit,
  applies: (context: ExecutionContext) => boolean,
  tracker: (req: Request & { user?: AuthUser }) => string,
): ThrottlerOptions {
  return {
    name,
    limit: limit.limit,
    ttl: limit.ttlSeconds * 1000,
    // a per-throttler skipIf replaces the module-wide one, so `enabled` is checked here
    skipIf: (context) => !enabled || context.getType() !== 'http' || !applies(context),
    getTracker: (req) => tracker(req as Request & { user?: AuthUser }),
    // one bucket per tracker across all routes of the group, not one per route
    generateKey: (_context, trackerKey, throttlerName) => `${throttlerName}:${trackerKey}`,
  };
}

/**
 * The rate limits of docs/api.md (Rate limits), from configuration. With REDIS_URL they count in Redis, shared
 * by every instance (docs/api.md, Operations); in memory otherwise.
 */
export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const { rateLimit } = config;
  const storage =
    config.redisUrl && rateLimit.enabled
      ? { storage: new SharedThrottlerStorage(config.redisUrl, config.redisKeyPrefix) }
      : {};
  const byUser = (req: { user?: AuthUser; ip?: string }) =>
    req.user ? `user:${req.user.id}` : `ip:${req.ip}`;
  const on = rateLimit.enabled;
  return {
    ...storage,
    throttlers: [
      throttler(
        on,
        'auth',
        rateLimit.auth,
        (ctx) => groupOf(ctx) === 'auth',
        (req) => `ip:${req.ip}`,
      ),
      throttler(
        on,
        'devLogin',
        rateLimit.devLogin,
        (ctx) => groupOf(ctx) === 'devLogin',
        (req) => `ip:${req.ip}`,
      ),
      throttler(on, 'matching', rateLimit.matching, (ctx) => groupOf(ctx) === 'matching', byUser),
      // chat messages over REST; the socket gateway counts against the same `chat:user:<id>` key
      throttler(on, 'chat', rateLimit.chat, (ctx) => groupOf(ctx) === 'chat', byUser),
      throttler(
        on,
        'write',
        rateLimit.write,
        (ctx) => !NOT_WRITES.has(groupOf(ctx)) && !READ_METHODS.has(requestOf(ctx).method),
        byUser,
      ),
    ],
  };
}

/** Throttler that answers in the contract's shape, with a plain `Retry-After` header. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    throw new DomainException('RATE_LIMITED', 'Too many requests, try again later');
  }
}
