import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as PassportKakaoStrategy } from 'passport-kakao';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import type { ExternalProfile } from '../../users/users.service';
import { KakaoClient } from './kakao.client';

type Callback<T> = (error: unknown, value?: T, ...rest: unknown[]) => void;

/** The node-oauth client inside passport-oauth2, whose Kakao URLs passport-kakao hard-codes. */
interface OAuth2Internals {
  _authorizeUrl: string;
  _accessTokenUrl: string;
  getOAuthAccessToken(code: string, params: { redirect_uri?: string }, cb: Callback<string>): void;
}

/**
 * The web flow through passport-kakao. passport-kakao fixes Kakao's hosts, so the URLs are
 * pointed at KAKAO_AUTH_URL / KAKAO_API_URL here, and both HTTP calls (code exchange and
 * profile) go through {@link KakaoClient}, which has the timeout and the error mapping.
 */
@Injectable()
export class KakaoStrategy extends PassportStrategy(PassportKakaoStrategy, 'kakao') {
  constructor(@InjectConfig() config: AppConfig, kakao: KakaoClient) {
    super({
      clientID: config.kakao.clientId ?? '',
      clientSecret: config.kakao.clientSecret ?? undefined,
      callbackURL: config.kakao.callbackUrl,
    });
    const oauth2 = (this as unknown as { _oauth2: OAuth2Internals })._oauth2;
    oauth2._authorizeUrl = `${config.kakao.authUrl}/oauth/authorize`;
    oauth2._accessTokenUrl = `${config.kakao.authUrl}/oauth/token`;
    oauth2.getOAuthAccessToken = (code, params, cb) => {
      kakao.exchangeCode(code, params.redirect_uri ?? config.kakao.callbackUrl).then(
        (token) => cb(null, token, undefined, {}),
        (error: unknown) => cb(error),
      );
    };
    this.userProfile = (accessToken, done) => {
      kakao.getProfile(accessToken).then(
        (profile) => done(null, profile),
        (error: unknown) => done(error),
      );
    };
  }

  validate(_accessToken: string, _refreshToken: string, profile: ExternalProfile): ExternalProfile {
    return profile;
  }
}
