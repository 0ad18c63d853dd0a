/**
 * Identity over HTTP: the first platform admin, self-registration, sign-in
 * with a (username, client) lockout, rotating refresh tokens, sign-out, password change and staff
 * reset, platform roles, and audited impersonation.
 */
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import request from 'supertest';
import { countEvents, PASSWORD, registerUser, signIn, signInAdmin, uniqueUsername, type Session } from '../support/auth';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp({ LOCKOUT_THRESHOLD: '3' });
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await t.close();
});

async function eventsOf(userId: string): Promise<{ type: string; metadata: Record<string, unknown>; data: Record<string, unknown> }[]> {
  const { rows } = await db.query(`SELECT event_type AS type, metadata, data FROM events WHERE stream_id = $1 ORDER BY stream_revision`, [`user-${userId}`]);
  return rows;
}

describe('the first start', () => {
  it('created the platform admin from ADMIN_USERNAME / ADMIN_PASSWORD', async () => {
    const admin = await signInAdmin(t);
    const me = await http().get('/api/v1/me').set(admin.auth).expect(200);
    expect(me.body.account).toMatchObject({ username: TEST_ADMIN.username, platformRoles: ['platform_admin'], origin: 'bootstrap' });
  });

  it('does not create a second admin when the app starts again on the same database', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'PlatformBootstrapped'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('self-registration', () => {
  it('creates a general user whose personal data is encrypted in the log', async () => {
    const username = uniqueUsername('ann');
    const res = await http()
      .post('/api/v1/auth/register')
      .send({ username, password: PASSWORD, displayName: 'Ann Lee', email: 'ann.lee@example.com', phone: '+66 81 234 5678', dateOfBirth: '1990-02-03', nationalId: '1100700123456', country: 'TH', interests: ['maths'] })
      .expect(201);
    expect(res.body.minor).toBe(false);
    const session = await signIn(t, username, PASSWORD);
    const me = await http().get('/api/v1/me').set(session.auth).expect(200);
    expect(me.body.account).toMatchObject({ displayName: 'Ann Lee', email: 'ann.lee@example.com', nationalId: '1100700123456', dateOfBirth: '1990-02-03', country: 'TH', interests: ['maths'] });
    const raw = JSON.stringify(await eventsOf(res.body.userId));
    for (const secret of ['Ann Lee', 'ann.lee@example.com', '1100700123456', '1990-02-03', username, '$argon2id']) expect(raw).not.toContain(secret);
  });

  it('marks a minor', async () => {
    const year = new Date().getUTCFullYear() - 12;
    const res = await http().post('/api/v1/auth/register').send({ username: uniqueUsername('kid'), password: PASSWORD, displayName: 'Kid', dateOfBirth: `${year}-01-01` }).expect(201);
    expect(res.body.minor).toBe(true);
  });

  it.each([
    ['missing fields', {}, 400, 'VALIDATION_FAILED'],
    ['a malformed email', { email: 'not-an-email' }, 400, 'VALIDATION_FAILED'],
    ['a weak password', { password: 'short' }, 400, 'WEAK_PASSWORD'],
    ['a common password', { password: 'password123' }, 400, 'WEAK_PASSWORD'],
    ['a password containing the username', { username: 'zed-user', password: 'zed-user-is-me-123' }, 400, 'WEAK_PASSWORD'],
    ['a date of birth in the future', { dateOfBirth: '2999-01-01' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { isAdmin: true }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s with a stable code and appends nothing', async (_, override, status, code) => {
    const before = await countEvents(t);
    const body = Object.keys(override).length === 0 ? {} : { username: uniqueUsername('bad'), password: PASSWORD, displayName: 'Bad', ...override };
    const res = await http().post('/api/v1/auth/register').send(body).expect(status);
    expect(res.body.error.code).toBe(code);
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses a duplicate username, whatever its case, with 409 and appends nothing', async () => {
    const username = uniqueUsername('dup');
    await http().post('/api/v1/auth/register').send({ username, password: PASSWORD, displayName: 'First' }).expect(201);
    const before = await countEvents(t);
    const res = await http().post('/api/v1/auth/register').send({ username: username.toUpperCase(), password: PASSWORD, displayName: 'Second' }).expect(409);
    expect(res.body.error.code).toBe('USERNAME_TAKEN');
    expect(await countEvents(t)).toBe(before);
  });
});

describe('sign-in', () => {
  it('records sign-ins and failures as events with the IP and user agent encrypted', async () => {
    const user = await registerUser(t);
    await http().post('/api/v1/auth/login').set('User-Agent', 'e2e-browser/1.0').send({ username: user.username, password: 'wrong-password-1' }).expect(401);
    const events = await eventsOf(user.userId);
    const failed = events.find((e) => e.type === 'LoginFailed')!;
    expect(failed.data).toMatchObject({ reason: 'bad_password' });
    expect(JSON.stringify(failed.metadata)).not.toContain('e2e-browser');
    expect(events.some((e) => e.type === 'UserLoggedIn')).toBe(true);
  });

  it('answers the same 401 for an unknown username and a wrong password', async () => {
    const user = await registerUser(t);
    const unknown = await http().post('/api/v1/auth/login').send({ username: 'nobody-at-all', password: PASSWORD }).expect(401);
    const wrong = await http().post('/api/v1/auth/login').send({ username: user.username, password: 'wrong-password-1' }).expect(401);
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.error).toMatchObject({ code: unknown.body.error.code, message: unknown.body.error.message });
  });

  it('locks the (username, client) pair after repeated failures, never the account: no event locks it', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) await http().post('/api/v1/auth/login').send({ username: user.username, password: 'wrong-password-1' }).expect(401);
    const res = await http().post('/api/v1/auth/login').send({ username: user.username, password: PASSWORD }).expect(429);
    expect(res.body.error.code).toBe('TOO_MANY_REQUESTS');
    expect((await eventsOf(user.userId)).map((e) => e.type)).not.toContain('AccountLocked');
  });

  it('needs a valid, unrevoked access token on every other route', async () => {
    await http().get('/api/v1/me').expect(401);
    await http().get('/api/v1/me').set('Authorization', 'Bearer not-a-jwt').expect(401);
    const res = await http().get('/api/v1/me').set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwic2lkIjoieSJ9.AAAA').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('checks a token it has verified before as strictly: another signature is refused, and its session ending is heard at once', async () => {
    const user = await registerUser(t);
    // Verified by passport-jwt once, then remembered: the next requests skip the signature check.
    await http().get('/api/v1/me').set(user.auth).expect(200);
    await http().get('/api/v1/me').set(user.auth).expect(200);
    const [header, payload, signature] = user.auth.Authorization.slice('Bearer '.length).split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await http().get('/api/v1/me').set('Authorization', `Bearer ${forged}`).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    // The same claims under a foreign key: not the remembered token, so verified (and refused).
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const foreign = new JwtService().sign(claims, { secret: 'some-other-secret-of-32-characters!', algorithm: 'HS256' });
    await http().get('/api/v1/me').set('Authorization', `Bearer ${foreign}`).expect(401);
    await http().post('/api/v1/auth/logout').set(user.auth).expect(204);
    const after = await http().get('/api/v1/me').set(user.auth).expect(401);
    expect(after.body.error.message).toBe('the access token is not valid or its session has ended');
  });
});

describe('sessions', () => {
  it('rotates refresh tokens and revokes the session when a spent one is replayed', async () => {
    const user = await registerUser(t);
    const first = await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    await http().get('/api/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
    const replay = await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    // The whole session is gone: its newest tokens no longer work either.
    await http().get('/api/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(401);
    const after = await http().post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
    expect(after.body.error.code).toBe('SESSION_REVOKED');
  });

  it('ends the session at logout', async () => {
    const user = await registerUser(t);
    await http().post('/api/v1/auth/logout').set(user.auth).expect(204);
    await http().get('/api/v1/me').set(user.auth).expect(401);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    expect((await eventsOf(user.userId)).map((e) => e.type)).toContain('UserLoggedOut');
  });

  it('ends every session when the password changes', async () => {
    const user = await registerUser(t);
    const other = await signIn(t, user.username, PASSWORD);
    await http().post('/api/v1/auth/password').send({ username: user.username, currentPassword: PASSWORD, newPassword: 'a-brand-new-secret' }).expect(204);
    await http().get('/api/v1/me').set(user.auth).expect(401);
    await http().get('/api/v1/me').set(other.auth).expect(401);
    await http().post('/api/v1/auth/login').send({ username: user.username, password: PASSWORD }).expect(401);
    await signIn(t, user.username, 'a-brand-new-secret');
  });

  it('refuses a password change with a wrong current password or a weak new one', async () => {
    const user = await registerUser(t);
    expect((await http().post('/api/v1/auth/password').send({ username: user.username, currentPassword: 'wrong-password-1', newPassword: 'a-brand-new-secret' }).expect(401)).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await http().post('/api/v1/auth/password').send({ username: user.username, currentPassword: PASSWORD, newPassword: 'short' }).expect(400)).body.error.code).toBe('WEAK_PASSWORD');
  });
});

describe('staff on accounts', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await signInAdmin(t);
  });

  it('resets a password to a temporary one that must be changed; staff never see the chosen one', async () => {
    const user = await registerUser(t);
    const reset = await http().post(`/api/v1/users/${user.userId}/password-reset`).set(admin.auth).expect(200);
    expect(reset.body.temporaryPassword).toEqual(expect.any(String));
    await http().get('/api/v1/me').set(user.auth).expect(401);
    const login = await http().post('/api/v1/auth/login').send({ username: user.username, password: reset.body.temporaryPassword }).expect(403);
    expect(login.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    await http().post('/api/v1/auth/password').send({ username: user.username, currentPassword: reset.body.temporaryPassword, newPassword: 'my-own-new-secret' }).expect(204);
    await signIn(t, user.username, 'my-own-new-secret');
    const account = await http().get(`/api/v1/users/${user.userId}`).set(admin.auth).expect(200);
    expect(JSON.stringify(account.body)).not.toMatch(/argon2|"password"/i);
  });

  it('locks an account: its sessions end at once', async () => {
    const user = await registerUser(t);
    await http().post(`/api/v1/users/${user.userId}/lock`).set(admin.auth).expect(204);
    await http().get('/api/v1/me').set(user.auth).expect(401);
    expect((await http().post('/api/v1/auth/login').send({ username: user.username, password: PASSWORD }).expect(403)).body.error.code).toBe('ACCOUNT_LOCKED');
    expect((await http().post(`/api/v1/users/${user.userId}/lock`).set(admin.auth).expect(409)).body.error.code).toBe('ACCOUNT_ALREADY_LOCKED');
  });

  it('grants and revokes platform roles; only platform admins may', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    expect((await http().put(`/api/v1/users/${other.userId}/roles/dpo`).set(user.auth).expect(403)).body.error.code).toBe('FORBIDDEN');
    await http().put(`/api/v1/users/${user.userId}/roles/dpo`).set(admin.auth).expect(204);
    expect((await http().get('/api/v1/me').set(user.auth).expect(200)).body.account.platformRoles).toEqual(['dpo']);
    await http().delete(`/api/v1/users/${user.userId}/roles/dpo`).set(admin.auth).expect(204);
    expect((await http().put(`/api/v1/users/${user.userId}/roles/superuser`).set(admin.auth).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('lets a user read and correct themself, and nobody else', async () => {
    const user = await registerUser(t);
    const stranger = await registerUser(t);
    await http().patch(`/api/v1/users/${user.userId}`).set(user.auth).send({ email: 'new@example.com' }).expect(204);
    expect((await http().get(`/api/v1/users/${user.userId}`).set(user.auth).expect(200)).body.email).toBe('new@example.com');
    const denied = await http().get(`/api/v1/users/${user.userId}`).set(stranger.auth).expect(403);
    expect(denied.body).toEqual({ error: expect.objectContaining({ code: 'FORBIDDEN' }) });
    await http().patch(`/api/v1/users/${user.userId}`).set(stranger.auth).send({ email: 'evil@example.com' }).expect(403);
    await http().get(`/api/v1/users/${user.userId}`).expect(401);
    await http().get('/api/v1/users/not-a-uuid').set(user.auth).expect(400);
    expect((await http().patch(`/api/v1/users/${user.userId}`).set(user.auth).send({ email: 'nope' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('impersonation', () => {
  it('acts as the user with a stated reason; every event carries realActorId; the user sees it', async () => {
    const admin = await signInAdmin(t);
    const user = await registerUser(t);
    const res = await http().post('/api/v1/auth/impersonate').set(admin.auth).send({ userId: user.userId, reason: 'Ticket 4411: cannot see the quiz' }).expect(200);
    expect(res.body.refreshToken).toBeNull();
    const as = { Authorization: `Bearer ${res.body.accessToken}` };
    const me = await http().get('/api/v1/me').set(as).expect(200);
    expect(me.body).toMatchObject({ account: { userId: user.userId }, impersonatedBy: admin.userId });
    await http().patch(`/api/v1/users/${user.userId}`).set(as).send({ displayName: 'Fixed by support' }).expect(204);
    const updated = (await eventsOf(user.userId)).find((e) => e.type === 'ProfileUpdated')!;
    expect(updated.metadata).toMatchObject({ actorId: user.userId, realActorId: admin.userId });
    await http().post('/api/v1/auth/logout').set(as).expect(204);

    const seen = await http().get(`/api/v1/users/${user.userId}/impersonations`).set(user.auth).expect(200);
    expect(seen.body).toEqual([expect.objectContaining({ by: admin.userId, reason: 'Ticket 4411: cannot see the quiz', endedAt: expect.any(String) })]);
  });

  it('is refused without a reason, to non-admins, and on platform staff', async () => {
    const admin = await signInAdmin(t);
    const user = await registerUser(t);
    const other = await registerUser(t);
    expect((await http().post('/api/v1/auth/impersonate').set(admin.auth).send({ userId: user.userId }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await http().post('/api/v1/auth/impersonate').set(other.auth).send({ userId: user.userId, reason: 'I would like to look around' }).expect(403);
    await http().post('/api/v1/auth/impersonate').set(admin.auth).send({ userId: admin.userId, reason: 'Acting as myself, why not' }).expect(403);
    await http().get(`/api/v1/users/${user.userId}/impersonations`).set(other.auth).expect(403);
  });
});

describe('the operations API', () => {
  it('accepts a platform admin, refuses other users with 403 and anonymous callers with 401', async () => {
    const admin = await signInAdmin(t);
    const user = await registerUser(t);
    await http().get('/api/v1/admin/projections').set(admin.auth).expect(200);
    await http().get('/api/v1/admin/projections').set(user.auth).expect(403);
    await http().get('/api/v1/admin/projections').expect(401);
    await http().get('/api/v1/admin/projections').set('Authorization', `Bearer ${t.opsToken}`).expect(200);
  });
});
