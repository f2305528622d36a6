import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig, FcmServiceAccount } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

/** The OAuth2 scope that lets a service account send through FCM. */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Each call to Google (token or send) gives up after this long; the job retries later. */
export const FCM_TIMEOUT_MS = 10_000;
/** Lifetime asked for the signed assertion (Google's maximum). */
const ASSERTION_TTL_SECONDS = 3600;
/** A cached access token is renewed this long before it expires (at most a tenth of its life). */
const RENEW_BEFORE_SECONDS = 300;
/** The longest Retry-After honoured; a longer one is read as this. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** The message of `POST /v1/projects/{id}/messages:send` (FCM HTTP v1), as far as we use it. */
export interface FcmMessage {
  token: string;
  notification?: { title: string; body: string };
  /** Values must be strings. */
  data: Record<string, string>;
  android?: Record<string, unknown>;
  apns?: { headers?: Record<string, string>; payload?: Record<string, unknown> };
}

/** What became of one send. */
export type FcmSendResult =
  | { kind: 'sent' }
  /** The token is no good any more (404 UNREGISTERED, 400 INVALID_ARGUMENT): drop the device. */
  | { kind: 'dead-token'; reason: string }
  /** Worth another try later (429, 5xx, 401, a timeout or no connection; the token endpoint). */
  | { kind: 'retry'; reason: string; retryAfterMs: number | null }
  /** Refused for a reason another try will not change, and not the token's fault. */
  | { kind: 'rejected'; reason: string };

interface FcmErrorBody {
  error?: {
    code?: number;
    status?: string;
    details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string }[] }[];
  };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/**
 * Reads an FCM error answer. The token is dead on 404 with `UNREGISTERED`, and on 400 whose
 * FcmError says `INVALID_ARGUMENT` — unless a field violation names a field other than the
 * token: then the message we built was wrong, and dropping the device would not fix it.
 */
export function classifyFcmError(
  status: number,
  body: FcmErrorBody | null,
  retryAfter: string | null,
): Exclude<FcmSendResult, { kind: 'sent' }> {
  const details = body?.error?.details ?? [];
  const errorCode = details.find((d) =>
    d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'),
  )?.errorCode;
  const fields = details.flatMap((d) => d.fieldViolations ?? []).map((v) => v.field ?? '');
  const reason = `FCM answered ${status} ${errorCode ?? body?.error?.status ?? ''}`.trim();
  if (status === 404 && errorCode === 'UNREGISTERED') return { kind: 'dead-token', reason };
  if (
    status === 400 &&
    errorCode === 'INVALID_ARGUMENT' &&
    fields.every((field) => field === 'message.token')
  ) {
    return { kind: 'dead-token', reason };
  }
  // 401: the access token was refused (revoked, or expired early); a new one may do
  if (status === 429 || status >= 500 || status === 401) {
    return { kind: 'retry', reason, retryAfterMs: retryAfterMs(retryAfter) };
  }
  const violated = fields.length > 0 ? ` (${fields.join(', ')})` : '';
  return { kind: 'rejected', reason: `${reason}${violated}` };
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/**
 * Firebase Cloud Messaging's HTTP v1 API with the service account of FCM_SERVICE_ACCOUNT:
 * a JWT signed RS256 with its private key (by jsonwebtoken, through @nestjs/jwt) is exchanged
 * at its `token_uri` for an OAuth2 access token, which is cached until shortly before it
 * expires (one exchange at a time). Nothing here logs: tokens and keys stay out of the logs,
 * and the caller decides what a result means.
 */
@Injectable()
export class FcmClient {
  private readonly account: FcmServiceAccount | null;
  private readonly sendUrl: string | null;
  private readonly signer = new JwtService();
  private accessToken: { value: string; renewAt: number } | null = null;
  private exchanging: Promise<string> | null = null;

  constructor(@InjectConfig() config: AppConfig) {
    this.account = config.push.serviceAccount;
    this.sendUrl = this.account
      ? `${config.push.apiUrl}/v1/projects/${encodeURIComponent(this.account.projectId)}/messages:send`
      : null;
  }

  /** False without FCM_SERVICE_ACCOUNT: push is off. */
  get enabled(): boolean {
    return this.account !== null;
  }

  /** Sends one message to one device. Never throws: every outcome is a result. */
  async send(message: FcmMessage): Promise<FcmSendResult> {
    if (!this.sendUrl) return { kind: 'rejected', reason: 'push is off' };
    let accessToken: string;
    try {
      accessToken = await this.token();
    } catch (error) {
      return { kind: 'retry', reason: (error as Error).message, retryAfterMs: null };
    }
    let res: Response;
    try {
      res = await fetch(this.sendUrl, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${accessToken}`,
          'Content-Type': 'application/json; charset=UTF-8',
        },
        body: JSON.stringify({ message }),
        signal: AbortSignal.timeout(FCM_TIMEOUT_MS),
      });
    } catch (error) {
      return { kind: 'retry', reason: `FCM: ${describe(error)}`, retryAfterMs: null };
    }
    if (res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'sent' };
    }
    if (res.status === 401) this.forget(accessToken);
    const body = (await readJson(res)) as FcmErrorBody | null;
    return classifyFcmError(res.status, body, res.headers.get('retry-after'));
  }

  /** The cached access token, or a new one (concurrent callers share one exchange). */
  private async token(): Promise<string> {
    if (this.accessToken && Date.now() < this.accessToken.renewAt) return this.accessToken.value;
    this.exchanging ??= this.exchange().finally(() => (this.exchanging = null));
    return this.exchanging;
  }

  private forget(value: string): void {
    if (this.accessToken?.value === value) this.accessToken = null;
  }

  /** Signs the assertion and trades it at `token_uri` (RFC 7523, JWT bearer grant). */
  private async exchange(): Promise<string> {
    const account = this.account as FcmServiceAccount;
    const iat = Math.floor(Date.now() / 1000);
    const assertion = await this.signer.signAsync(
      {
        iss: account.clientEmail,
        scope: FCM_SCOPE,
        aud: account.tokenUri,
        iat,
        exp: iat + ASSERTION_TTL_SECONDS,
      },
      {
        privateKey: account.privateKey,
        algorithm: 'RS256',
        ...(account.privateKeyId ? { keyid: account.privateKeyId } : {}),
      },
    );
    let res: Response;
    try {
      res = await fetch(account.tokenUri, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
        signal: AbortSignal.timeout(FCM_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(`token endpoint: ${describe(error)}`);
    }
    const body = (await readJson(res)) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    } | null;
    if (!res.ok || typeof body?.access_token !== 'string') {
      const code = typeof body?.error === 'string' ? ` ${body.error}` : '';
      throw new Error(`token endpoint answered ${res.status}${code}`);
    }
    const lifetime = Number(body.expires_in) > 0 ? Number(body.expires_in) : ASSERTION_TTL_SECONDS;
    const margin = Math.min(RENEW_BEFORE_SECONDS, lifetime / 10);
    this.accessToken = {
      value: body.access_token,
      renewAt: Date.now() + (lifetime - margin) * 1000,
    };
    return body.access_token;
  }
}

/** A network failure in words, without the URL (it may name a host of the deployment). */
function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${FCM_TIMEOUT_MS} ms`;
  return e?.cause?.code ?? e?.message ?? 'request failed';
}
