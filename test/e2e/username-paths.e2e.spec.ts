/**
 * A request that names a username does the same work whether or not the
 * username exists, so that its time cannot tell (issue 12). Not a timing
 * assertion: the work is counted. For each request, the SQL statements sent
 * to PostgreSQL in that request's handling (by its request id, request-trace) and the
 * argon2 verifications are recorded, and compared between an existing and
 * an unknown username:
 * - sign-in with a wrong password (REST and GraphQL) vs an unknown username:
 *   the same statements, one argon2 verification each;
 * - a parent link asked by username (an eligible child, the platform admin,
 *   the caller, no one): no statement and no verification before the answer
 *   at all (the lookup happens after it, DeferredWork), and the request is
 *   still made for the eligible child.
 */
import pg from 'pg';
import request from 'supertest';
import { DeferredWork } from '../../libs/core/src';
import { PasswordHasher } from '../../libs/identity/src/passwords';
import { createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { traceRequests } from '../support/request-trace';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';

let t: TestApp;
let learner: Session;
let parent: Session;
let schoolAdmin: Session;
let school: string;
const http = () => request(t.app.getHttpServer());

/** Statements (normalised: parameters are $n already; literals cut) and argon2 verifications, per request id. */
const work = new Map<string, { statements: string[]; verifications: number }>();
const recordOf = (id: string) => work.get(id) ?? work.set(id, { statements: [], verifications: 0 }).get(id)!;
const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/'[^']*'/g, "'?'").trim();
let restore: () => void = () => undefined;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Username School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', dateOfBirth: '2001-02-03' });
  parent = await registerUser(t);

  const trace = traceRequests(t);
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const id = trace.requestIdNow();
    if (id?.startsWith('probe-')) {
      const q = args[0] as string | { text: string };
      recordOf(id).statements.push(normalise(typeof q === 'string' ? q : q.text));
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const hasher = t.app.get(PasswordHasher);
  const verify = hasher.verify.bind(hasher);
  hasher.verify = async (hash, password) => {
    const id = trace.requestIdNow();
    if (id?.startsWith('probe-')) recordOf(id).verifications += 1;
    return verify(hash, password);
  };
  restore = () => {
    pg.Client.prototype.query = query;
    hasher.verify = verify;
    trace.restore();
  };
}, 120_000);

afterAll(async () => {
  restore();
  await t.close();
});

let probes = 0;
async function probe(send: (id: string) => Promise<request.Response>): Promise<{ status: number; body: unknown; statements: string[]; verifications: number }> {
  probes += 1;
  const id = `probe-${probes}`;
  const res = await send(id);
  // What was done in the request's own context before its answer (deferred work runs under `<id>:deferred`).
  const done = work.get(id) ?? { statements: [], verifications: 0 };
  return { status: res.status, body: res.body, statements: [...done.statements], verifications: done.verifications };
}

const login = (username: string) => (id: string) => http().post('/api/v1/auth/login').set('X-Request-Id', id).send({ username, password: 'not-the-password-1' });
const gqlLogin = (username: string) => (id: string) =>
  http()
    .post('/graphql')
    .set('X-Request-Id', id)
    .send({ query: 'mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken } }', variables: { u: username, p: 'not-the-password-1' } });

describe('sign-in: an existing username with a wrong password and an unknown one do the same work', () => {
  it.each([
    ['REST', login],
    ['GraphQL', gqlLogin],
  ])('%s', async (_via, send) => {
    // Warm-up: the first failure of the process creates the month's key for anonymous request metadata.
    await send(`warm-up-${Date.now()}`)(`warm-up-${Date.now()}`);
    await send(learner.username)(`warm-up-${Date.now()}`);
    const existing = await probe(send(learner.username));
    const admin = await probe(send(TEST_ADMIN.username));
    const unknown = await probe(send(`nobody-${Date.now()}`));
    expect(existing.verifications).toBe(1);
    expect(unknown.verifications).toBe(existing.verifications);
    expect(admin.verifications).toBe(existing.verifications);
    expect(existing.statements.length).toBeGreaterThan(0);
    expect(unknown.statements).toEqual(existing.statements);
    expect(admin.statements).toEqual(existing.statements);
    expect(unknown.status).toBe(existing.status);
    const answer = (body: unknown) => JSON.stringify(body).replace(/probe-\d+/g, 'probe');
    expect(answer(unknown.body)).toEqual(answer(existing.body));
    expect(answer(admin.body)).toEqual(answer(existing.body));
  });
});

describe('a parent link asked by username: no work before the answer, whatever the username names', () => {
  it('answers the eligible child, the platform admin, the caller and no one alike, having looked nothing up', async () => {
    const ask = (childUsername: string) => (id: string) => http().post('/api/v1/parent-links').set(parent.auth).set('X-Request-Id', id).send({ childUsername });
    const names = [learner.username, TEST_ADMIN.username, parent.username, `nobody-${Date.now()}`];
    const answers = [];
    for (const name of names) answers.push(await probe(ask(name)));
    const first = answers[0];
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(a.verifications).toBe(0);
      expect({ ...(a.body as object), requestedAt: null }).toEqual({ ...(first.body as object), requestedAt: null });
      // Before the answer: at most the caller's session check (cached for a moment per session), nothing else.
      expect(a.statements.filter((sql) => !/FROM auth_sessions/.test(sql))).toEqual([]);
    }
    // After it, the eligible child's school sees the request; no one else's does.
    await t.app.get(DeferredWork).settled();
    const pending = await http().get(`/api/v1/schools/${school}/parent-links?status=requested`).set(schoolAdmin.auth).expect(200);
    expect(pending.body.parentLinks).toEqual([expect.objectContaining({ parentId: parent.userId, childId: learner.userId })]);
  });
});

