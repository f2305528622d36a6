import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { DomainException } from '../../common/errors/domain.exception';
import { toCleanLine } from '../../common/validation/validation';
import type { ExternalProfile } from '../../users/users.service';

/** The parts of Kakao's `GET /v2/user/me` answer that we read. */
interface KakaoUserMe {
  id?: unknown;
  properties?: { nickname?: unknown; profile_image?: unknown };
  kakao_account?: {
    profile?: { nickname?: unknown; profile_image_url?: unknown; is_default_image?: unknown };
    email?: unknown;
    is_email_valid?: unknown;
    is_email_verified?: unknown;
  };
}

const NICKNAME_MAX = 20;

/**
 * What a bearer token may be (RFC 6750 `b64token`): anything else cannot travel in the
 * Authorization header (a NUL, a line break or Korean text make `fetch` throw) and cannot be a
 * Kakao access token either.
 */
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : null;
}

/** Maps Kakao's user JSON to our profile; nicknames are cut to what the API accepts. */
export function toExternalProfile(json: KakaoUserMe): ExternalProfile {
  const id = json.id;
  if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d{1,20}$/.test(String(id))) {
    throw new DomainException('KAKAO_UNAVAILABLE', 'Kakao answered without a user id');
  }
  const kakaoId = String(id);
  const account = json.kakao_account ?? {};
  const profile = account.profile ?? {};
  // the user did not type it to us: characters our text rule refuses are cleaned, not refused
  const clean = (value: unknown) => text(typeof value === 'string' ? toCleanLine(value) : value);
  let nickname = clean(profile.nickname) ?? clean(json.properties?.nickname) ?? '';
  nickname = Array.from(nickname).slice(0, NICKNAME_MAX).join('').trim();
  if (nickname.length < 2) nickname = `kakao${kakaoId.slice(-6)}`;
  const image =
    profile.is_default_image === true
      ? null
      : (text(profile.profile_image_url) ?? text(json.properties?.profile_image));
  const emailUsable = account.is_email_valid !== false && account.is_email_verified !== false;
  return {
    kakaoId,
    nickname,
    profileImageUrl: image && image.length <= 500 ? image : null,
    email: emailUsable ? text(account.email) : null,
  };
}

/**
 * Talks to Kakao over HTTP with a hard timeout. A token Kakao refuses becomes
 * `KAKAO_TOKEN_INVALID`; Kakao down, slow or answering nonsense becomes `KAKAO_UNAVAILABLE`.
 */
@Injectable()
export class KakaoClient {
  private readonly logger = new Logger(KakaoClient.name);

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** `GET {KAKAO_API_URL}/v2/user/me` with the user's Kakao access token. */
  async getProfile(accessToken: string): Promise<ExternalProfile> {
    if (!BEARER_TOKEN.test(accessToken)) {
      // the caller's mistake, not an outage: nothing is sent
      throw new DomainException('KAKAO_TOKEN_INVALID', 'This is not a Kakao access token');
    }
    const json = await this.request<KakaoUserMe>(`${this.config.kakao.apiUrl}/v2/user/me`, {
      method: 'GET',
      headers: {
        Authorization: `Bearer ${accessToken}`,
        'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8',
      },
    });
    return toExternalProfile(json);
  }

  /** Exchanges the web flow's authorization code at `{KAKAO_AUTH_URL}/oauth/token`. */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: this.config.kakao.clientId ?? '',
      redirect_uri: redirectUri,
      code,
    });
    if (this.config.kakao.clientSecret) form.set('client_secret', this.config.kakao.clientSecret);
    const json = await this.request<{ access_token?: unknown }>(
      `${this.config.kakao.authUrl}/oauth/token`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: form.toString(),
      },
    );
    const token = text(json.access_token);
    if (!token) throw new DomainException('KAKAO_UNAVAILABLE', 'Kakao sent no access token');
    return token;
  }

  private async request<T>(url: string, init: RequestInit): Promise<T> {
    let headers: Headers;
    try {
      headers = new Headers(init.headers);
    } catch {
      // a header value fetch cannot send (a TypeError before any connection): not an outage
      throw new DomainException('KAKAO_TOKEN_INVALID', 'The token cannot be sent to Kakao');
    }
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers,
        signal: AbortSignal.timeout(this.config.kakao.timeoutMs),
      });
    } catch (error) {
      this.logger.warn(`Kakao request failed: ${(error as Error).name}`);
      throw new DomainException('KAKAO_UNAVAILABLE', 'Kakao did not answer in time');
    }
    if (response.status === 400 || response.status === 401) {
      await response.body?.cancel();
      throw new DomainException('KAKAO_TOKEN_INVALID', 'Kakao did not accept the token');
    }
    if (!response.ok) {
      await response.body?.cancel();
      this.logger.warn(`Kakao answered ${response.status}`);
      throw new DomainException('KAKAO_UNAVAILABLE', 'Kakao is not available right now');
    }
    try {
      return (await response.json()) as T;
    } catch {
      throw new DomainException('KAKAO_UNAVAILABLE', 'Kakao sent an unreadable answer');
    }
  }
}
