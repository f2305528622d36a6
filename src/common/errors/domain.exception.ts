import { HttpException } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/** An error the client is meant to see: its code decides the status and the body's `code`. */
export class DomainException extends HttpException {
  /** Sent as `Retry-After` (seconds) with the error: rate limits and unavailable dependencies. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, ErrorCode[code]);
  }

  /** The same error, telling the client when to try again. */
  retryAfter(seconds: number): this {
    this.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
    return this;
  }
}
