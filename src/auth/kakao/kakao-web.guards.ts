import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard, IAuthModuleOptions } from '@nestjs/passport';
import { parse, serialize } from 'cookie';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { DomainException } from '../../common/errors/domain.exception';

const STATE_COOKIE = 'sb_kakao_state';
const COOKIE_PATH = '/api/v1/auth/kakao';

export type KakaoCallbackRequest = Request & { kakaoLoginError?: DomainException };

function requireWebLogin(config: AppConfig): void {
  if (!config.kakao.clientId) {
    throw new DomainException('NOT_FOUND', 'Kakao web login is not configured (KAKAO_CLIENT_ID)');
  }
}

/**
 * Starts the web flow: a random `state` goes to Kakao and into a short-lived cookie, so the
 * callback can tell a login this browser started from a forged one.
 */
@Injectable()
export class KakaoLoginGuard extends AuthGuard('kakao') {
  constructor(@InjectConfig() private readonly config: AppConfig) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    requireWebLogin(this.config);
    return super.canActivate(context);
  }

  override getAuthenticateOptions(context: ExecutionContext): IAuthModuleOptions {
    const state = randomBytes(24).toString('base64url');
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader(
      'Set-Cookie',
      serialize(STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.config.kakao.callbackUrl.startsWith('https:'),
        path: COOKIE_PATH,
        maxAge: 600,
      }),
    );
    return { session: false, state } as IAuthModuleOptions;
  }
}

/**
 * Finishes the web flow. It never throws for a failed login: the failure is left on the
 * request, so the handler can answer with a redirect or JSON as configured.
 */
@Injectable()
export class KakaoCallbackGuard extends AuthGuard('kakao') {
  constructor(@InjectConfig() private readonly config: AppConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    requireWebLogin(this.config);
    const req = context.switchToHttp().getRequest<KakaoCallbackRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const expected = parse(req.headers.cookie ?? '')[STATE_COOKIE];
    res.setHeader('Set-Cookie', serialize(STATE_COOKIE, '', { path: COOKIE_PATH, maxAge: 0 }));
    if (!expected || req.query.state !== expected) {
      req.kakaoLoginError = new DomainException(
        'UNAUTHORIZED',
        'Login state does not match; start again at /auth/kakao/login',
      );
      return true;
    }
    try {
      await super.canActivate(context);
    } catch (error) {
      req.kakaoLoginError = KakaoCallbackGuard.toDomainError(error);
    }
    return true;
  }

  override getAuthenticateOptions(): IAuthModuleOptions {
    return { session: false };
  }

  override handleRequest<T>(err: unknown, user: T | false, info: unknown): T {
    if (err) throw err;
    if (!user) {
      const message = (info as { message?: string } | undefined)?.message;
      throw new DomainException('UNAUTHORIZED', message || 'Kakao login was cancelled');
    }
    return user;
  }

  private static toDomainError(error: unknown): DomainException {
    if (error instanceof DomainException) return error;
    const wrapped = (error as { oauthError?: unknown } | null)?.oauthError;
    if (wrapped instanceof DomainException) return wrapped;
    if ((error as { name?: string } | null)?.name === 'AuthorizationError') {
      return new DomainException('UNAUTHORIZED', 'Kakao refused the login');
    }
    return new DomainException('KAKAO_UNAVAILABLE', 'Kakao login failed');
  }
}
