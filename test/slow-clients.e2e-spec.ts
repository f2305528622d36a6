import { RawHttpConnection } from './support/raw-http';
import { createTestApp, TestApp } from './support/test-app';
import { expectError } from './support/users';

/**
 * Clients that are slow on purpose or by accident (SPEC §10): headers that never end.
 */

describe('slow clients (SPEC §10)', () => {
  let t: TestApp;
  let port: number;
  const connections: RawHttpConnection[] = [];

  async function connection(): Promise<RawHttpConnection> {
    const opened = await RawHttpConnection.open(port);
    connections.push(opened);
    return opened;
  }

  beforeAll(async () => {
    t = await createTestApp({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    port = Number(new URL(t.baseUrl).port);
  });
  afterEach(() => {
    for (const opened of connections.splice(0)) opened.destroy();
  });
  afterAll(async () => t.close());

  describe('headers that do not arrive in time', () => {
    it('are answered 408 in the contract shape, and the connection is closed', async () => {
      const slow = await connection();
      const startedAt = Date.now();
      await slow.write('GET /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never-Ends: ');

      const res = await slow.response(5000);
      expect(res.status).toBe(408);
      expect(res.headers.connection).toBe('close');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expectError(JSON.parse(res.body), 408, 'REQUEST_TIMEOUT');
      await slow.untilClosed(3000);
      const after = (slow.closedAt as number) - startedAt;
      expect(after).toBeGreaterThanOrEqual(900);
      expect(after).toBeLessThan(3000);
    });

    it('a connection that sends nothing at all is closed', async () => {
      const silent = await connection();
      const startedAt = Date.now();
      await silent.untilClosed(3000);
      expect((silent.closedAt as number) - startedAt).toBeGreaterThanOrEqual(900);
      expect(silent.text()).toBe('');
    });

    it('headers that come in pieces, all within the timeout, are served', async () => {
      const client = await connection();
      await client.write('GET /api/v1/regions HTTP/1.1\r\n');
      await new Promise((resolve) => setTimeout(resolve, 500)); // a slow line, not a stalled one
      await client.write('Host: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const res = await client.response();
      expect(res.status).toBe(200);
      expect(Array.isArray(JSON.parse(res.body))).toBe(true);
    });
  });
});
