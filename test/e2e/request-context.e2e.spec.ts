/**
 * The request's context travels explicitly (issue 15: no AsyncLocalStorage on
 * the request path, whose promise hook cost ~15 % of a single-event ingest's
 * CPU). Each event an HTTP request causes still carries the request's IP, user
 * agent, origin and its request id as correlation id, whether it has an actor
 * (CurrentActor), none (a failed sign-in, a registration, an LRS client's read)
 * or runs after the answer (DeferredWork: `<id>:deferred`); error bodies still
 * carry the request id, REST and GraphQL. And no AsyncLocalStorage is entered
 * while the app serves all this.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import request from 'supertest';
import { DeferredWork } from '../../libs/core/src';
import { EventLog, type EventEnvelope } from '../../libs/event-store/src';
import { createSchool, openAccount, PASSWORD, registerUser, signInAdmin, uniqueUsername, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const UA = 'RequestContextSpec/1.0';
const IP = expect.stringMatching(/127\.0\.0\.1|::1/);

/**
 * Where an AsyncLocalStorage was entered in this process while the app ran
 * (run and enterWith): the caller's frame. Jest's own (jest-circus runs each
 * test and hook in one) are not the app's.
 */
const entered: string[] = [];
const enteredAt = () => {
  const caller = (new Error('entered').stack ?? '').split('\n')[3] ?? '';
  if (!/[\\/]jest-circus[\\/]/.test(caller)) entered.push(caller.trim());
};
const { run, enterWith } = AsyncLocalStorage.prototype;

let t: TestApp;
let db: pg.Client;
let schoolAdmin: Session;
let learner: Session;
let parent: Session;
let school: string;
const http = () => request(t.app.getHttpServer());
let ids = 0;
const nextId = (what: string) => `ctx-${what}-${(ids += 1)}`;

beforeAll(async () => {
  AsyncLocalStorage.prototype.run = function <R>(this: AsyncLocalStorage<unknown>, store: unknown, callback: (...args: unknown[]) => R, ...args: unknown[]): R {
    enteredAt();
    return run.call(this, store, callback, ...args) as R;
  };
  AsyncLocalStorage.prototype.enterWith = function (this: AsyncLocalStorage<unknown>, store: unknown): void {
    enteredAt();
    enterWith.call(this, store);
  };
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Context School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', email: 'context.learner@example.com', dateOfBirth: '2001-02-03' });
  parent = await registerUser(t);
}, 120_000);

afterAll(async () => {
  AsyncLocalStorage.prototype.run = run;
  AsyncLocalStorage.prototype.enterWith = enterWith;
  await db?.end();
  await t?.close();
});

/** The envelopes (IP and user agent unsealed) of the events whose correlation id is `id`, by event type. */
async function envelopesOf(id: string): Promise<Map<string, EventEnvelope>> {
  const { rows } = await db.query<{ event_id: string; stream_id: string }>(`SELECT event_id, stream_id FROM events WHERE metadata->>'correlationId' = $1`, [id]);
  const out = new Map<string, EventEnvelope>();
  for (const stream of new Set(rows.map((r) => r.stream_id))) {
    for await (const e of t.app.get(EventLog).readStream(stream)) if (rows.some((r) => r.event_id === e.id)) out.set(e.type, e.envelope);
  }
  return out;
}

const fromThisRequest = (id: string, origin = 'web') => ({ ip: IP, userAgent: UA, origin, correlationId: id });

it('a sign-in, failed for an unknown username (no actor) or done: the events are the request’s', async () => {
  const failed = nextId('login-failed');
  await http().post('/api/v1/auth/login').set('X-Request-Id', failed).set('User-Agent', UA).send({ username: `nobody-${failed}`, password: 'wrong-password-1' }).expect(401);
  expect((await envelopesOf(failed)).get('LoginFailed')).toMatchObject({ actorId: null, ...fromThisRequest(failed) });

  const done = nextId('login');
  await http().post('/api/v1/auth/login').set('X-Request-Id', done).set('User-Agent', UA).send({ username: learner.username, password: PASSWORD }).expect(200);
  expect((await envelopesOf(done)).get('UserLoggedIn')).toMatchObject({ actorId: learner.userId, ...fromThisRequest(done) });
});

it('a registration over GraphQL (a public mutation, no actor) and a signed-in REST change (CurrentActor)', async () => {
  const registered = nextId('register');
  const username = uniqueUsername('ctx');
  const res = await http()
    .post('/graphql')
    .set('X-Request-Id', registered)
    .set('User-Agent', UA)
    .send({ query: 'mutation ($input: RegisterInput!) { register(input: $input) { userId } }', variables: { input: { username, password: PASSWORD, displayName: 'Context Person' } } })
    .expect(200);
  expect(res.body.errors).toBeUndefined();
  expect((await envelopesOf(registered)).get('AccountCreated')).toMatchObject({ actorId: res.body.data.register.userId, ...fromThisRequest(registered) });

  const created = nextId('class');
  await http().post(`/api/v1/schools/${school}/classes`).set(schoolAdmin.auth).set('X-Request-Id', created).set('User-Agent', UA).send({ name: 'Context P6', gradeLevel: 'P6' }).expect(201);
  expect([...(await envelopesOf(created)).values()]).toEqual([expect.objectContaining({ actorId: schoolAdmin.userId, ...fromThisRequest(created) })]);
});

it('work deferred after the answer (a parent link asked by username) is recorded under `<request id>:deferred`', async () => {
  const asked = nextId('parent-link');
  await http().post('/api/v1/parent-links').set(parent.auth).set('X-Request-Id', asked).set('User-Agent', UA).send({ childUsername: learner.username }).expect(202);
  await t.app.get(DeferredWork).settled();
  expect((await envelopesOf(`${asked}:deferred`)).get('ParentLinkRequested')).toMatchObject({ actorId: parent.userId, ...fromThisRequest(`${asked}:deferred`) });
});

it('an LRS client’s statement (for a learner, and for no one known) and its read', async () => {
  const client = (await http().post(`/api/v1/schools/${school}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Context tool' }).expect(201)).body as { clientId: string; secret: string };
  const lrs = { 'X-Experience-API-Version': '1.0.3', Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`, 'User-Agent': UA };
  const statement = (mbox: string) => ({
    actor: { objectType: 'Agent', mbox },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: { objectType: 'Activity', id: 'http://tools.example/activities/context' },
  });
  const stored = nextId('xapi-post');
  await http().post('/xapi/statements').set(lrs).set('X-Request-Id', stored).send([statement('mailto:context.learner@example.com'), statement('mailto:someone.else@example.com')]).expect(200);
  const { rows } = await db.query(`SELECT metadata->>'actorId' AS actor FROM events WHERE event_type = 'XapiStatementRecorded' AND metadata->>'correlationId' = $1 ORDER BY global_position`, [stored]);
  expect(rows.map((r) => r.actor)).toEqual([learner.userId, null]);
  for (const s of await db.query<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM events WHERE metadata->>'correlationId' = $1`, [stored]).then((r) => r.rows)) {
    for await (const e of t.app.get(EventLog).readStream(s.stream_id)) if (e.envelope.correlationId === stored) expect(e.envelope).toMatchObject(fromThisRequest(stored, 'ws'));
  }

  const read = nextId('xapi-get');
  await http().get('/xapi/statements').set(lrs).set('X-Request-Id', read).expect(200);
  expect((await envelopesOf(read)).get('XapiStatementsRead')).toMatchObject({ actorId: null, ...fromThisRequest(read, 'ws') });
});

it('error bodies carry the request id, REST and GraphQL', async () => {
  const rest = nextId('rest-error');
  expect((await http().get('/api/v1/nothing-here').set('X-Request-Id', rest).expect(404)).body.error.requestId).toBe(rest);
  const forbidden = nextId('rest-forbidden');
  expect((await http().get(`/api/v1/schools/${school}/parent-links`).set(learner.auth).set('X-Request-Id', forbidden).expect(403)).body.error.requestId).toBe(forbidden);
  const gql = nextId('gql-error');
  const res = await http().post('/graphql').set('X-Request-Id', gql).send({ query: '{ me { account { userId } } }' }).expect(200);
  expect(res.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: gql });
  const invalid = nextId('gql-invalid');
  const bad = await http().post('/graphql').set('X-Request-Id', invalid).send({ query: '{ nope }' }).expect(400);
  expect(bad.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', requestId: invalid });
});

it('enters no AsyncLocalStorage while it serves all of the above', () => {
  expect(ids).toBeGreaterThan(5);
  expect(entered).toEqual([]);
});
