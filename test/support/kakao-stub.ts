import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Kakao account as `GET /v2/user/me` describes it. */
export interface KakaoAccount {
  id: number;
  nickname?: string;
  profileImageUrl?: string;
  email?: string;
}

function userMe(account: KakaoAccount) {
  return {
    id: account.id,
    connected_at: '2026-01-01T00:00:00Z',
    properties: {
      nickname: account.nickname,
      profile_image: account.profileImageUrl,
      thumbnail_image: account.profileImageUrl,
    },
    kakao_account: {
      profile_nickname_needs_agreement: false,
      profile: {
        nickname: account.nickname,
        profile_image_url: account.profileImageUrl,
        thumbnail_image_url: account.profileImageUrl,
        is_default_image: account.profileImageUrl === undefined,
      },
      has_email: account.email !== undefined,
      email_needs_agreement: false,
      is_email_valid: account.email !== undefined ? true : undefined,
      is_email_verified: account.email !== undefined ? true : undefined,
      email: account.email,
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/**
 * A stand-in for Kakao's servers over real HTTP: `GET /v2/user/me` (kapi), and the OAuth
 * endpoints `GET /oauth/authorize` and `POST /oauth/token` (kauth), answering as Kakao's
 * REST API documentation describes, errors included.
 */
export class KakaoStub {
  private server: Server | null = null;
  private readonly tokens = new Map<string, KakaoAccount>();
  private readonly codes = new Map<string, { account: KakaoAccount; redirectUri: string }>();
  private nextLogin: KakaoAccount | 'deny' | null = null;
  /** Milliseconds every answer is held back, to play a slow Kakao. */
  delayMs = 0;
  /** Requests seen, for assertions on what the service sent. */
  readonly requests: { method: string; path: string; authorization?: string; body?: string }[] = [];

  constructor(readonly clientId = 'test-rest-api-key') {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('Kakao stub is not running');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: Error) => json(res, 500, { msg: error.message }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  /** A Kakao access token, as the Kakao SDK would hand it to the app, for this account. */
  issueAccessToken(account: KakaoAccount): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, account);
    return token;
  }

  /** Whoever opens the authorize page next is this account (or refuses consent). */
  loginNextAs(account: KakaoAccount | 'deny'): void {
    this.nextLogin = account;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      authorization: req.headers.authorization,
      body,
    });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (res.destroyed) return;

    if (req.method === 'GET' && url.pathname === '/v2/user/me') return this.userMe(req, res);
    if (req.method === 'GET' && url.pathname === '/oauth/authorize')
      return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/oauth/token')
      return this.token(body ?? '', res);
    json(res, 404, { msg: 'not found', code: -404 });
  }

  private userMe(req: IncomingMessage, res: ServerResponse): void {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const account = match ? this.tokens.get(match[1]) : undefined;
    if (!account) {
      json(res, 401, { msg: 'this access token does not exist', code: -401 });
      return;
    }
    json(res, 200, userMe(account));
  }

  private authorize(url: URL, res: ServerResponse): void {
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== this.clientId || !redirectUri) {
      json(res, 400, { error: 'invalid_request', error_code: 'KOE101' });
      return;
    }
    if (url.searchParams.get('response_type') !== 'code') {
      json(res, 400, { error: 'unsupported_response_type', error_code: 'KOE205' });
      return;
    }
    const target = new URL(redirectUri);
    const state = url.searchParams.get('state');
    if (state) target.searchParams.set('state', state);
    const login = this.nextLogin;
    this.nextLogin = null;
    if (login === 'deny' || login === null) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'User denied access');
    } else {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { account: login, redirectUri });
      target.searchParams.set('code', code);
    }
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  private token(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'authorization_code') {
      json(res, 400, { error: 'unsupported_grant_type', error_code: 'KOE310' });
      return;
    }
    if (form.get('client_id') !== this.clientId) {
      json(res, 401, { error: 'invalid_client', error_code: 'KOE101' });
      return;
    }
    const code = form.get('code') ?? '';
    const grant = this.codes.get(code);
    if (!grant || grant.redirectUri !== form.get('redirect_uri')) {
      json(res, 400, {
        error: 'invalid_grant',
        error_description: `authorization code not found for code=${code}`,
        error_code: 'KOE320',
      });
      return;
    }
    this.codes.delete(code);
    json(res, 200, {
      token_type: 'bearer',
      access_token: this.issueAccessToken(grant.account),
      expires_in: 21599,
      refresh_token: randomBytes(24).toString('base64url'),
      refresh_token_expires_in: 5183999,
      scope: 'profile_nickname profile_image account_email',
    });
  }
}
