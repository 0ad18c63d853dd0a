/**
 * Signing in over HTTP, for e2e tests: the platform admin created at first
 * start, and accounts opened through the real endpoints.
 */
import request from 'supertest';
import type { TestApp } from './test-app';
import { TEST_ADMIN } from './test-app';

export interface Session {
  userId: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string | null;
  /** `{ Authorization: 'Bearer …' }`, for supertest's `.set(...)`. */
  auth: { Authorization: string };
}

const http = (t: TestApp) => request(t.app.getHttpServer());

export async function signIn(t: TestApp, username: string, password: string): Promise<Session> {
  const res = await http(t).post('/api/v1/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.userId, username, password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
}

export function signInAdmin(t: TestApp): Promise<Session> {
  return signIn(t, TEST_ADMIN.username, TEST_ADMIN.password);
}

let counter = 0;
/** A username unique within the test run. */
export function uniqueUsername(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

export const PASSWORD = 'correct-horse-battery';

/** Self-registers a general user and signs them in. */
export async function registerUser(t: TestApp, profile: Record<string, unknown> = {}): Promise<Session> {
  const username = uniqueUsername('general');
  const res = await http(t)
    .post('/api/v1/auth/register')
    .send({ username, password: PASSWORD, displayName: `General ${username}`, email: `${username}@example.com`, ...profile });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signIn(t, username, PASSWORD);
}

/** A privacy officer: a self-registered user given the dpo role by a platform admin, signed in again (the role is in the new session). */
export async function privacyOfficer(t: TestApp, admin: Session): Promise<Session> {
  const dpo = await registerUser(t);
  const res = await http(t).put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth);
  if (res.status !== 204) throw new Error(`giving the dpo role failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signIn(t, dpo.username, PASSWORD);
}

/** Opens an account in a school through POST /api/v1/users (as `by`) and signs it in. */
export async function openAccount(
  t: TestApp,
  by: Session,
  input: { schoolId: string; role: 'learner' | 'teacher' | 'school_admin'; classId?: string; gradeLevel?: string; dateOfBirth?: string; displayName?: string; email?: string; idNumber?: string },
): Promise<Session> {
  const username = uniqueUsername(input.role.replace('_', ''));
  const res = await http(t)
    .post('/api/v1/users')
    .set(by.auth)
    .send({
      username,
      password: PASSWORD,
      displayName: input.displayName ?? `${input.role} ${username}`,
      email: input.email ?? `${username}@example.com`,
      ...(input.role === 'learner' && { consentObtainedFrom: 'parent' }),
      ...input,
    });
  if (res.status !== 201) throw new Error(`opening a ${input.role} account failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signIn(t, username, PASSWORD);
}

/** Creates a school as the platform admin. */
export async function createSchool(t: TestApp, admin: Session, name = 'School'): Promise<string> {
  const code = uniqueUsername('S').toUpperCase().replace(/[^A-Z0-9-]/g, '').slice(0, 20);
  const res = await http(t).post('/api/v1/schools').set(admin.auth).send({ name, code, country: 'TH' });
  if (res.status !== 201) throw new Error(`creating a school failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.schoolId;
}

/** Number of events in the log: "nothing was appended" checks. */
export async function countEvents(t: TestApp): Promise<number> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM events');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/** Runs `fn` and checks that it appended no event (a refusal writes nothing). */
export async function appendsNothing<T>(t: TestApp, fn: () => Promise<T>): Promise<T> {
  const before = await countEvents(t);
  const result = await fn();
  expect(await countEvents(t)).toBe(before);
  return result;
}

/** For supertest's serialize(): superagent JSON-serialises a Buffer sent as application/json ({"type":"Buffer",…}); this sends its bytes as they are. */
export const asIs = (body: unknown): string => body as string;
