import { HttpException } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/** An error the client is meant to see: its code decides the status and the body's `code`. */
export class DomainException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, ErrorCode[code]);
  }
}
