import { createPublicKey, KeyObject, randomBytes, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** One message FCM accepted, as the device would get it. */
export interface ReceivedPush {
  token: string;
  /** The whole `message` object of the request. */
  message: {
    token: string;
    notification?: { title: string; body: string };
    data?: Record<string, string>;
    android?: Record<string, unknown> & { collapse_key?: string; priority?: string };
    apns?: { headers?: Record<string, string>; payload?: { aps?: Record<string, unknown> } };
  };
  /** `performance.timeOrigin + performance.now()` when the request was read. */
  receivedAt: number;
}

/** How the stub answers a token's sends. */
export type TokenBehaviour =
  | { kind: 'unregistered' }
  | { kind: 'invalid-argument' }
  /** 503 UNAVAILABLE with `Retry-After: <seconds>` the first `times` sends, then success. */
  | { kind: 'unavailable'; retryAfterSeconds: number; times: number };

export interface StubIdentity {
  /** The public half of the key the service account's `private_key` is. */
  publicKey: KeyObject | string;
  clientEmail: string;
  projectId: string;
  /** When set, the assertion's header must name it as `kid`. */
  privateKeyId?: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

function fcmError(code: number, status: string, message: string, errorCode?: string) {
  return {
    error: {
      code,
      message,
      status,
      ...(errorCode ? { details: [{ '@type': FCM_ERROR, errorCode }] } : {}),
    },
  };
}

const now = () => performance.timeOrigin + performance.now();

/**
 * A stand-in for Google's OAuth token endpoint and FCM's HTTP v1 `messages:send`, over real
 * HTTP on a loopback port:
 *
 * - `POST /token` takes the JWT-bearer grant and checks the assertion as Google does: an RS256
 *   signature that verifies with the public key the test gave (node:crypto, not the library
 *   that signed it), `kid`, `iss` = the client email, the messaging `scope`, `aud` = this
 *   token URI, `iat` now, `exp` at most an hour later. It answers an access token.
 * - `POST /v1/projects/<projectId>/messages:send` needs `Authorization: Bearer <a token it
 *   issued>`, checks the message (a token; data values strings), records it, and answers
 *   success or, per token, what the test asked for: 404 UNREGISTERED, 400 INVALID_ARGUMENT,
 *   or 503 with Retry-After.
 * - `down()` stops listening (connections refused), `up()` listens again on the same port.
 */
export class FcmStub {
  private server: Server | null = null;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly publicKey: KeyObject;
  private readonly accessTokens = new Map<string, number>();
  private readonly behaviours = new Map<string, TokenBehaviour>();
  /** Accepted messages, in arrival order. */
  readonly received: ReceivedPush[] = [];
  /** Every send, whatever the answer: token and status. */
  readonly attempts: { token: string; status: number; at: number }[] = [];
  /** Token endpoint calls: whether each was granted, and why not. */
  readonly tokenRequests: { granted: boolean; problem?: string }[] = [];
  /** Seconds an issued access token lives. */
  accessTokenLifetime = 3599;

  constructor(private readonly identity: StubIdentity) {
    this.publicKey =
      typeof identity.publicKey === 'string'
        ? createPublicKey(identity.publicKey)
        : identity.publicKey;
  }

  get url(): string {
    if (!this.port) throw new Error('FCM stub is not running');
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUri(): string {
    return `${this.url}/token`;
  }

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  /** Connections are refused from now on (what a dead FCM looks like from here). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again, on the same port. */
  async up(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.down();
  }

  /** How the stub answers sends to `token` from now on; null: success again. */
  behave(token: string, behaviour: TokenBehaviour | null): void {
    if (behaviour) this.behaviours.set(token, behaviour);
    else this.behaviours.delete(token);
  }

  /** The messages accepted for `token`. */
  to(token: string): ReceivedPush[] {
    return this.received.filter((r) => r.token === token);
  }

  /** Resolves with the first accepted message for `token` matching `where` (polls). */
  async next(
    token: string,
    where: (push: ReceivedPush) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ReceivedPush> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.to(token).find(where);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no push for the token within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch((error: Error) =>
        json(res, 500, fcmError(500, 'INTERNAL', error.message)),
      );
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const body = await readBody(req);
    if (req.method === 'POST' && path === '/token') return this.token(body, res);
    if (req.method === 'POST' && path === `/v1/projects/${this.identity.projectId}/messages:send`) {
      return this.send(req, body, res);
    }
    json(res, 404, fcmError(404, 'NOT_FOUND', 'Not found'));
  }

  private token(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const problem =
      form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer'
        ? 'grant_type'
        : this.assertionProblem(form.get('assertion') ?? '');
    if (problem) {
      this.tokenRequests.push({ granted: false, problem });
      json(res, 400, { error: 'invalid_grant', error_description: problem });
      return;
    }
    this.tokenRequests.push({ granted: true });
    const token = `ya29.stub-${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(token, Date.now() + this.accessTokenLifetime * 1000);
    json(res, 200, {
      access_token: token,
      expires_in: this.accessTokenLifetime,
      token_type: 'Bearer',
    });
  }

  /** What is wrong with the assertion, or null when Google would take it. */
  private assertionProblem(assertion: string): string | null {
    const parts = assertion.split('.');
    if (parts.length !== 3) return 'assertion is not a JWT';
    const [h, p, s] = parts;
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return 'assertion is not JSON';
    }
    if (header.alg !== 'RS256') return `alg ${String(header.alg)}`;
    if (this.identity.privateKeyId && header.kid !== this.identity.privateKeyId) return 'kid';
    const signed = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      this.publicKey,
      Buffer.from(s, 'base64url'),
    );
    if (!signed) return 'signature';
    const nowSeconds = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (claims.iss !== this.identity.clientEmail) return 'iss';
    if (claims.scope !== FCM_SCOPE) return 'scope';
    if (claims.aud !== this.tokenUri) return 'aud';
    if (!Number.isInteger(iat) || Math.abs(iat - nowSeconds) > 60) return 'iat';
    if (!Number.isInteger(exp) || exp <= nowSeconds || exp - iat > 3600) return 'exp';
    return null;
  }

  private send(req: IncomingMessage, body: string, res: ServerResponse): void {
    const receivedAt = now();
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expires = this.accessTokens.get(token);
    if (expires === undefined || expires < Date.now()) {
      json(
        res,
        401,
        fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      );
      return;
    }
    let message: ReceivedPush['message'];
    try {
      message = (JSON.parse(body) as { message: ReceivedPush['message'] }).message;
    } catch {
      json(res, 400, fcmError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
      return;
    }
    const notString = Object.entries(message?.data ?? {}).findIndex(
      ([, v]) => typeof v !== 'string',
    );
    if (typeof message?.token !== 'string' || notString >= 0) {
      const field = notString >= 0 ? `message.data[${notString}].value` : 'message';
      json(res, 400, {
        error: {
          code: 400,
          message: `Invalid value at '${field}'`,
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [{ field, description: `Invalid value at '${field}'` }],
            },
          ],
        },
      });
      return;
    }
    const deviceToken = message.token;
    const answer = (status: number, payload: unknown, headers = {}) => {
      this.attempts.push({ token: deviceToken, status, at: receivedAt });
      json(res, status, payload, headers);
    };
    const behaviour = this.behaviours.get(deviceToken);
    if (behaviour?.kind === 'unregistered') {
      return answer(
        404,
        fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
      );
    }
    if (behaviour?.kind === 'invalid-argument') {
      return answer(
        400,
        fcmError(
          400,
          'INVALID_ARGUMENT',
          'The registration token is not a valid FCM registration token',
          'INVALID_ARGUMENT',
        ),
      );
    }
    if (behaviour?.kind === 'unavailable' && behaviour.times > 0) {
      behaviour.times -= 1;
      return answer(
        503,
        fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
        { 'Retry-After': String(behaviour.retryAfterSeconds) },
      );
    }
    this.received.push({ token: deviceToken, message, receivedAt });
    answer(200, {
      name: `projects/${this.identity.projectId}/messages/${randomBytes(8).toString('hex')}`,
    });
  }
}
