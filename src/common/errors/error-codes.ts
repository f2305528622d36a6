import { HttpStatus } from '@nestjs/common';

/** Every error code the API answers with, and the HTTP status it goes with. */
export const ErrorCode = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  ACCOUNT_SUSPENDED: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  CONFLICT: HttpStatus.CONFLICT,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,

  KAKAO_TOKEN_INVALID: HttpStatus.UNAUTHORIZED,
  KAKAO_UNAVAILABLE: HttpStatus.BAD_GATEWAY,
  REFRESH_TOKEN_REUSED: HttpStatus.UNAUTHORIZED,

  GUIDE_REQUIRED: HttpStatus.FORBIDDEN,
  GUIDE_ALREADY_APPLIED: HttpStatus.CONFLICT,

  MATCHING_INVALID_STATE: HttpStatus.CONFLICT,
  MATCHING_OWN_STORY: HttpStatus.BAD_REQUEST,
  MATCHING_DUPLICATE: HttpStatus.CONFLICT,
  REVIEW_EXISTS: HttpStatus.CONFLICT,
  REVIEW_WINDOW_CLOSED: HttpStatus.CONFLICT,
  CHAT_ROOM_CLOSED: HttpStatus.FORBIDDEN,
  USER_BLOCKED: HttpStatus.FORBIDDEN,

  REPORT_DUPLICATE: HttpStatus.CONFLICT,
} as const;

export type ErrorCode = keyof typeof ErrorCode;

/** The code used for a plain HTTP status when nothing more specific was thrown. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 408:
      return 'REQUEST_TIMEOUT';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED';
  }
}
