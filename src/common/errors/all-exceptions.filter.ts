import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import {
  isDependencyUnavailable,
  serviceUnavailable,
  unavailableReason,
} from '../../database/dependency-errors';
import { loggablePath } from '../logging/loggable-path';
import { assignRequestId } from '../logging/request-id';
import { DomainException } from './domain.exception';
import { codeForStatus, ErrorCode } from './error-codes';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  requestId: string;
  path: string;
  timestamp: string;
}

interface Resolved {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** Errors thrown by express middleware (body-parser and friends) carry their own status. */
function isExposedHttpError(error: unknown): error is { status: number; message: string } {
  const candidate = error as { status?: unknown; expose?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    candidate.expose === true
  );
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** Shapes every HTTP error into the contract's body; nothing else writes error responses. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const path = req.originalUrl?.split('?')[0] ?? req.url;
    let resolved: Resolved;
    if (isDependencyUnavailable(exception)) {
      // expected while the database is away: one line per request, no stack
      this.logger.warn(`${req.method} ${loggablePath(path)}: 503, ${unavailableReason(exception)}`);
      resolved = this.resolve(serviceUnavailable());
    } else {
      resolved = this.resolve(exception);
      if (resolved.status >= 500) {
        this.logger.error(
          exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
        );
      }
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: ErrorBody = {
      statusCode: resolved.status,
      code: resolved.code,
      message: resolved.message,
      ...(resolved.details === undefined ? {} : { details: resolved.details }),
      requestId: assignRequestId(req, res),
      path,
      timestamp: new Date().toISOString(),
    };
    if (resolved.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(resolved.retryAfterSeconds));
    }
    res.status(resolved.status).json(body);
  }

  private resolve(exception: unknown): Resolved {
    if (exception instanceof DomainException) {
      return {
        status: exception.getStatus(),
        code: exception.code,
        message: exception.message,
        details: exception.details,
        retryAfterSeconds: exception.retryAfterSeconds,
      };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, code: 'RATE_LIMITED', message: 'Too many requests, slow down' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: codeForStatus(status), message: messageOf(exception) };
    }
    if (isExposedHttpError(exception)) {
      const message =
        exception.status === 400 ? 'Request body is not valid JSON' : exception.message;
      return { status: exception.status, code: codeForStatus(exception.status), message };
    }
    return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' };
  }
}
