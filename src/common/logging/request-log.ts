import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import type { AuthUser } from '../decorators/current-user.decorator';
import { loggablePath } from './loggable-path';
import { assignRequestId } from './request-id';

/** Called once per request when its response ends (status null: the client left first). */
export type RequestObserver = (req: Request, status: number | null, seconds: number) => void;

/** Paths not worth a line each: load balancers poll them. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * One JSON line per request when its response is sent (or the client went away first):
 * `{ level, time, pid, hostname, requestId, userId, req: { method, path }, res: { status },
 * responseTime, msg }`, each key once. The path has no query string (it may carry tokens) and
 * no device token (loggable-path.ts); headers and bodies are never logged. 5xx are errors, 4xx warnings, the rest info.
 * `observe` (the metrics' request histogram) sees every request, quiet paths included.
 */
export function requestLog(root: Pino, observe?: RequestObserver) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const requestId = assignRequestId(req, res);
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const elapsed = performance.now() - started;
      const finished = res.writableFinished;
      const status = res.statusCode;
      if (observe) observe(req, finished ? status : null, elapsed / 1000);
      const path = loggablePath(req.originalUrl ?? req.url);
      if (QUIET_PATHS.has(path)) return;
      const level = status >= 500 || !finished ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!root.isLevelEnabled(level)) return;
      root[level](
        {
          requestId,
          userId: (req as Request & { user?: AuthUser }).user?.id ?? null,
          req: { method: req.method, path },
          res: { status: finished ? status : null },
          responseTime: Math.round(elapsed),
        },
        finished ? 'request completed' : 'request aborted',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
