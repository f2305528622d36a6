import { runCli } from '../src/cli/cli';
import { User } from '../src/users/entities/user.entity';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn } from './support/users';

describe('roles: admin routes and the grant-admin CLI', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('GET /admin/users: 401 without a token, 403 FORBIDDEN for a user and a guide', async () => {
    expectError((await t.http().get('/api/v1/admin/users').expect(401)).body, 401, 'UNAUTHORIZED');
    const user = await signIn(t);
    const res = await t.http().get('/api/v1/admin/users').set(user.auth).expect(403);
    expectError(res.body, 403, 'FORBIDDEN');
    await t.dataSource.getRepository(User).update({ id: user.id }, { role: 'guide' });
    expectError(
      (await t.http().get('/api/v1/admin/users').set(user.auth).expect(403)).body,
      403,
      'FORBIDDEN',
    );
  });

  it('grant-admin through the CLI makes the user an admin at once, without a new login', async () => {
    const user = await signIn(t, { nickname: 'future-admin' });
    await t.http().get('/api/v1/admin/users').set(user.auth).expect(403);

    const lines: string[] = [];
    const code = await runCli(['grant-admin', String(user.id)], t.config, (l) => lines.push(l));

    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(`User ${user.id} (future-admin) is now an admin`);
    expect((await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).role).toBe(
      'admin',
    );
    // the same access token now opens admin routes: roles are read from the database
    await t.http().get('/api/v1/admin/users').set(user.auth).expect(200);
  });

  it('the CLI refuses unknown users and bad arguments', async () => {
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    expect(await runCli(['grant-admin', '2147480000'], t.config, out)).toBe(1);
    expect(lines.pop()).toContain('not found');
    expect(await runCli(['grant-admin', 'abc'], t.config, out)).toBe(2);
    expect(await runCli(['drop-everything'], t.config, out)).toBe(2);
    expect(lines.pop()).toContain('Usage');
  });

  it('lists users newest first with q/role/status filters and stable cursor pages', async () => {
    const admin = await signIn(t);
    await runCli(['grant-admin', String(admin.id)], t.config, () => undefined);
    const tag = `pg${Date.now() % 100000}`;
    const created: number[] = [];
    for (let i = 0; i < 5; i++) created.push((await signIn(t, { nickname: `${tag}_${i}` })).id);

    const page1 = await t
      .http()
      .get(`/api/v1/admin/users?q=${tag}&limit=2`)
      .set(admin.auth)
      .expect(200);
    expect(page1.body.items.map((u: { id: number }) => u.id)).toEqual([created[4], created[3]]);
    expect(page1.body.items[0]).toEqual(
      expect.objectContaining({ nickname: `${tag}_4`, role: 'user', status: 'active' }),
    );
    expect(page1.body.nextCursor).toEqual(expect.any(String));

    // a user created between pages does not shift the next page
    await signIn(t, { nickname: `${tag}_new` });
    const page2 = await t
      .http()
      .get(`/api/v1/admin/users?q=${tag}&limit=2&cursor=${page1.body.nextCursor}`)
      .set(admin.auth)
      .expect(200);
    expect(page2.body.items.map((u: { id: number }) => u.id)).toEqual([created[2], created[1]]);
    const page3 = await t
      .http()
      .get(`/api/v1/admin/users?q=${tag}&limit=2&cursor=${page2.body.nextCursor}`)
      .set(admin.auth)
      .expect(200);
    expect(page3.body).toEqual({
      items: [expect.objectContaining({ id: created[0] })],
      nextCursor: null,
    });

    await t.dataSource.getRepository(User).update({ id: created[1] }, { status: 'suspended' });
    const suspended = await t
      .http()
      .get(`/api/v1/admin/users?q=${tag}&status=suspended`)
      .set(admin.auth)
      .expect(200);
    expect(suspended.body.items.map((u: { id: number }) => u.id)).toEqual([created[1]]);
    const admins = await t.http().get('/api/v1/admin/users?role=admin').set(admin.auth).expect(200);
    expect(admins.body.items.map((u: { id: number }) => u.id)).toContain(admin.id);

    // LIKE wildcards in q are taken literally
    const wildcard = await t.http().get('/api/v1/admin/users?q=%25').set(admin.auth).expect(200);
    expect(wildcard.body.items).toEqual([]);
  });

  it('rejects bad list parameters with 400', async () => {
    const admin = await signIn(t);
    await runCli(['grant-admin', String(admin.id)], t.config, () => undefined);
    for (const query of [
      'limit=0',
      'limit=51',
      'limit=abc',
      'status=gone',
      'cursor=%%%',
      'cursor=W10',
      'extra=1',
    ]) {
      const res = await t.http().get(`/api/v1/admin/users?${query}`).set(admin.auth);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expectError(res.body, 400, 'VALIDATION_FAILED');
    }
  });
});
