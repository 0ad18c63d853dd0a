/**
 * xAPI end to end: LRS clients per school (created by the school's admin,
 * HTTP Basic with a hashed secret); statements in (POST, PUT, validation,
 * conflicts, voiding, the version header), stored as events with the actor
 * sealed, views becoming Learnstream events; statements out (GET with its
 * filters and paging, a course's log as xAPI, a learner's export) without
 * loss of the fields the specification requires; and the auth cases.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { EVENT_STORE, EventLog, type EventStore } from '../../libs/event-store/src';
import { learnerStatements } from '../../libs/interop/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { countEvents, createSchool, openAccount, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const HOME = 'https://learnstream.invalid';
const V = { 'X-Experience-API-Version': '1.0.3' };

let admin: Session;
let schoolA: string;
let schoolB: string;
let schoolAdmin: Session;
let teacher: Session;
let learner: Session;
let learnerB: Session;
let courseId: string;
let resourceId: string;
let client: { clientId: string; secret: string };
let clientB: { clientId: string; secret: string };

const basic = (c: { clientId: string; secret: string }) => ({ Authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}` });
const lrs = (c = client) => ({ ...V, ...basic(c) });

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { objectType: 'Agent', name: 'Learner One', mbox: 'mailto:learner.one@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'http://tools.example/activities/quiz-1', definition: { name: { 'en-US': 'Quiz 1' } } },
    result: { score: { scaled: 0.75, raw: 15, min: 0, max: 20 }, success: true, completion: true, response: 'my free-text answer', duration: 'PT12M' },
    context: { registration: randomUUID(), contextActivities: { parent: [{ id: 'http://tools.example/courses/c1' }] }, platform: 'Tool', language: 'en-US' },
    timestamp: '2024-05-01T08:00:00.000Z',
    ...overrides,
  };
}

/** The fields a statement must keep through the LRS (Data 2.4): everything it was sent with, plus stored, authority, version. */
function expectRoundTrip(sent: Record<string, unknown>, got: Record<string, unknown>, id: string) {
  const { id: _id, ...rest } = sent;
  expect(got).toMatchObject({ ...rest, id });
  expect(got.stored).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
  expect(got.version).toMatch(/^1\.0\./);
  expect(got.authority).toMatchObject({ objectType: 'Agent', account: { homePage: `${HOME}/xapi/clients`, name: client.clientId } });
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'School A');
  schoolB = await createSchool(t, admin, 'School B');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  learner = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: 'learner.one@example.com' });
  const schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  learnerB = await openAccount(t, schoolAdminB, { schoolId: schoolB, role: 'learner' });
  courseId = (await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: schoolA, title: 'Physics', code: 'PHY-1', subject: 'Physics', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  const sectionId = (await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201)).body.sectionId;
  resourceId = (await http().post(`/api/v1/courses/${courseId}/resources`).set(teacher.auth).send({ sectionId, kind: 'page', title: 'Forces', content: { body: '<p>F = ma</p>' } }).expect(201)).body.resourceId;
  await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
  client = (await http().post(`/api/v1/schools/${schoolA}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Quiz tool' }).expect(201)).body;
  clientB = (await http().post(`/api/v1/schools/${schoolB}/xapi-clients`).set(schoolAdminB.auth).send({ name: 'Tool B' }).expect(201)).body;
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('LRS clients and authentication', () => {
  it('lets a school admin create, list and revoke clients of their school only; the secret is kept as a hash', async () => {
    expect(client).toMatchObject({ clientId: expect.any(String), secret: expect.any(String) });
    await http().post(`/api/v1/schools/${schoolA}/xapi-clients`).set(learner.auth).send({ name: 'x' }).expect(403);
    await http().post(`/api/v1/schools/${schoolB}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'x' }).expect(403);
    const list = await http().get(`/api/v1/schools/${schoolA}/xapi-clients`).set(schoolAdmin.auth).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ clientId: client.clientId, name: 'Quiz tool', revokedAt: null })]);
    expect(JSON.stringify(list.body)).not.toContain(client.secret);
    const { rows } = await db.query('SELECT secret_hash FROM xapi_clients WHERE client_id = $1', [client.clientId]);
    expect(rows[0].secret_hash.toString('hex')).not.toContain(Buffer.from(client.secret).toString('hex'));
    const events = (await db.query(`SELECT event_type FROM events WHERE stream_id = $1`, [`xapi_client-${client.clientId}`])).rows;
    expect(events.map((e) => e.event_type)).toEqual(['XapiClientCreated']);
  });

  it('answers 401 without credentials or with wrong ones, 400 without the version header, and echoes the version', async () => {
    const none = await http().get('/xapi/statements').set(V).expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    expect(none.headers['x-experience-api-version']).toBe('1.0.3');
    expect(Date.parse(none.headers['x-experience-api-consistent-through'])).not.toBeNaN();
    await http().get('/xapi/statements').set({ ...V, ...basic({ ...client, secret: 'wrong' }) }).expect(401);
    await http().get('/xapi/statements').set({ ...V, Authorization: learner.auth.Authorization }).expect(401);
    const noVersion = await http().get('/xapi/statements').set(basic(client)).expect(400);
    expect(noVersion.body.error.code).toBe('XAPI_VERSION_REQUIRED');
    // Without a version, the answer names the newest this LRS speaks.
    expect(noVersion.headers['x-experience-api-version']).toBe('2.0.0');
    expect((await http().get('/xapi/statements').set({ ...basic(client), 'X-Experience-API-Version': '0.95' }).expect(400)).body.error.code).toBe('XAPI_VERSION_UNSUPPORTED');
    const ok = await http().get('/xapi/statements').set({ ...basic(client), 'X-Experience-API-Version': '1.0.1' }).expect(200);
    expect(ok.headers['x-experience-api-version']).toBe('1.0.3');
    expect(ok.headers['x-experience-api-consistent-through']).toBeTruthy();
    const two = await http().get('/xapi/statements').set({ ...basic(client), 'X-Experience-API-Version': '2.0.0' }).expect(200);
    expect(two.headers['x-experience-api-version']).toBe('2.0.0');
    expect((await http().get('/xapi/about').expect(200)).body).toEqual({ version: ['2.0.0', '1.0.3'] });
    // Errors of the body itself carry the header too.
    const broken = await http().post('/xapi/statements').set(lrs()).set('Content-Type', 'application/json').send('{"actor":').expect(400);
    expect(broken.headers['x-experience-api-consistent-through']).toBeTruthy();
  });

  it('answers 403 to a client writing about a learner or a course of another school', async () => {
    const before = await countEvents(t);
    const aboutLearnerA = statement({ actor: { account: { homePage: HOME, name: learner.userId } } });
    expect((await http().post('/xapi/statements').set(lrs(clientB)).send(aboutLearnerA).expect(403)).body.error.code).toBe('FORBIDDEN');
    const onCourseA = statement({ actor: { mbox: 'mailto:someone@b.example' }, object: { id: `${HOME}/courses/${courseId}` } });
    await http().post('/xapi/statements').set(lrs(clientB)).send(onCourseA).expect(403);
    expect(await countEvents(t)).toBe(before);
  });

  it('stops a revoked client at once', async () => {
    const spare = (await http().post(`/api/v1/schools/${schoolA}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Spare' }).expect(201)).body;
    await http().get('/xapi/statements').set(lrs(spare)).expect(200);
    await http().delete(`/api/v1/schools/${schoolA}/xapi-clients/${spare.clientId}`).set(schoolAdmin.auth).expect(204);
    await http().get('/xapi/statements').set(lrs(spare)).expect(401);
  });
});

describe('statements in and out', () => {
  const id1 = randomUUID();
  let sent1: Record<string, unknown>;

  it('stores a statement (PUT 204), keeps its actor sealed, and returns it with every field (round trip)', async () => {
    sent1 = statement({ id: id1 });
    await http().put(`/xapi/statements?statementId=${id1}`).set(lrs()).send(sent1).expect(204);
    const { rows } = await db.query(`SELECT stream_id, data, metadata FROM events WHERE event_type = 'XapiStatementRecorded'`);
    expect(rows).toHaveLength(1);
    // The actor's email maps to the learner: their activity stream, their key.
    expect(rows[0].stream_id).toBe(`activity-${learner.userId}`);
    expect(rows[0].data).toMatchObject({ statementId: id1, verbId: 'http://adlnet.gov/expapi/verbs/completed', learnerId: learner.userId, schoolId: schoolA, statement: { $pd: 1, s: learner.userId } });
    expect(rows[0].metadata).toMatchObject({ actorId: learner.userId, origin: 'ws', schoolId: schoolA, occurredAt: '2024-05-01T08:00:00.000Z' });
    for (const secret of ['learner.one@example.com', 'Learner One', 'my free-text answer']) expect(JSON.stringify(rows)).not.toContain(secret);

    const got = await http().get(`/xapi/statements?statementId=${id1}`).set(lrs()).expect(200);
    expectRoundTrip(sent1, got.body, id1);
  });

  it('accepts the same statement again without change, and refuses another under the same id (409)', async () => {
    const before = await countEvents(t);
    await http().put(`/xapi/statements?statementId=${id1}`).set(lrs()).send({ ...sent1, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, timestamp: '2024-05-01T15:00:00+07:00' }).expect(204);
    expect((await http().post('/xapi/statements').set(lrs()).send(sent1).expect(200)).body).toEqual([id1]);
    expect((await http().put(`/xapi/statements?statementId=${id1}`).set(lrs()).send({ ...sent1, result: { success: false } }).expect(409)).body.error.code).toBe('XAPI_CONFLICT');
    expect((await http().post('/xapi/statements').set(lrs()).send([statement(), { ...sent1, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }]).expect(409)).body.error.code).toBe('XAPI_CONFLICT');
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses invalid statements with 400 and the problems named, and stores nothing of a batch with one bad statement', async () => {
    const before = await countEvents(t);
    const cases: [unknown, string][] = [
      [statement({ verb: { id: 'completed' } }), 'verb.id must be an absolute IRI'],
      [statement({ actor: { mbox: 'mailto:a@b.c', account: { homePage: HOME, name: 'x' } } }), 'exactly one inverse functional identifier'],
      [statement({ object: { id: 'http://x.example/a', objectType: 'Thing' } }), 'objectType'],
      [statement({ unknownProperty: true }), 'not a property'],
      [statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }), 'must be a StatementRef'],
      [[statement(), statement({ timestamp: 'yesterday' })], 'statements[1].timestamp'],
      [[42], 'statements[0] must be a JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await http().post('/xapi/statements').set(lrs()).set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(400);
      expect(res.body.error.code).toBe('XAPI_INVALID_STATEMENT');
      expect(JSON.stringify(res.body.error)).toContain(message);
    }
    // A body that is not a JSON object or array is refused by the JSON parser, 400 all the same.
    await http().post('/xapi/statements').set(lrs()).set('Content-Type', 'application/json').send('"a string"').expect(400);
    const twice = randomUUID();
    await http().post('/xapi/statements').set(lrs()).send([statement({ id: twice }), statement({ id: twice })]).expect(400);
    await http().put(`/xapi/statements?statementId=${randomUUID()}`).set(lrs()).send(statement({ id: randomUUID() })).expect(400);
    await http().put('/xapi/statements').set(lrs()).send(statement()).expect(400);
    expect(await countEvents(t)).toBe(before);
  });

  it('assigns ids on POST; a view of a resource becomes ResourceViewed; an unknown agent is kept under a pseudonym', async () => {
    const view = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: `${HOME}/courses/${courseId}/resources/${resourceId}` }, result: undefined, context: undefined });
    const stranger = statement({ actor: { mbox: 'mailto:stranger@elsewhere.example', name: 'Stranger' } });
    const res = await http().post('/xapi/statements').set(lrs()).send([view, stranger]).expect(200);
    expect(res.body).toHaveLength(2);
    const [viewId, strangerId] = res.body;
    const { rows } = await db.query(`SELECT event_id, event_type, stream_id, data, metadata FROM events WHERE event_type IN ('XapiStatementRecorded', 'ResourceViewed') AND metadata->>'origin' = 'ws' ORDER BY global_position`);
    const record = rows.find((r) => r.data.statementId === viewId);
    const mapped = rows.find((r) => r.event_type === 'ResourceViewed');
    expect(mapped).toMatchObject({ stream_id: `activity-${learner.userId}`, data: { courseId, resourceId, userId: learner.userId }, metadata: { courseId, causationId: record.event_id, origin: 'ws' } });
    expect(record.metadata.courseId).toBeNull(); // the view carries the course: counted once
    expect(record.data.mappedEventId).toBe(mapped.event_id);
    const strangerRow = rows.find((r) => r.data.statementId === strangerId);
    expect(strangerRow.stream_id).toMatch(/^xapi_agent-/);
    expect(strangerRow.metadata.actorId).toBeNull();
    expect(JSON.stringify(strangerRow)).not.toContain('stranger@elsewhere.example');
    const got = await http().get(`/xapi/statements?statementId=${strangerId}`).set(lrs()).expect(200);
    expectRoundTrip(stranger, got.body, strangerId);
    // Another school's client does not see it.
    await http().get(`/xapi/statements?statementId=${strangerId}`).set(lrs(clientB)).expect(404);
  });

  it('voids a statement: gone from queries (the statements referring to it stay), found by voidedStatementId; a voiding statement cannot be voided', async () => {
    const target = randomUUID();
    await http().put(`/xapi/statements?statementId=${target}`).set(lrs()).send(statement({ id: target, actor: { mbox: 'mailto:void@example.com' } })).expect(204);
    const voiding = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target }, result: undefined, context: undefined });
    const [voidingId] = (await http().post('/xapi/statements').set(lrs()).send(voiding).expect(200)).body;
    await http().get(`/xapi/statements?statementId=${target}`).set(lrs()).expect(404);
    expect((await http().get(`/xapi/statements?voidedStatementId=${target}`).set(lrs()).expect(200)).body.id).toBe(target);
    await http().get(`/xapi/statements?voidedStatementId=${voidingId}`).set(lrs()).expect(404);
    const list = await http().get(`/xapi/statements?agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:void@example.com' }))}`).set(lrs()).expect(200);
    // The voided statement is left out; the voiding statement, which refers to it, matches its filter (Communication 2.1.4).
    expect(list.body.statements.map((x: { id: string }) => x.id)).toEqual([voidingId]);
    const voidTheVoid = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: voidingId }, result: undefined, context: undefined });
    expect((await http().post('/xapi/statements').set(lrs()).send(voidTheVoid).expect(400)).body.error.message).toContain('cannot be voided');
    await http().get(`/xapi/statements?statementId=${target}&verb=http://x.example/v`).set(lrs()).expect(400);
  });

  it('filters by agent, verb, activity, registration and time, pages with `more`, and refuses unknown parameters', async () => {
    const registration = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = statement({ actor: { mbox: 'mailto:pager@example.com' }, verb: { id: 'http://adlnet.gov/expapi/verbs/answered' }, object: { id: `http://tools.example/q/${i}` }, context: { registration } });
      ids.push((await http().post('/xapi/statements').set(lrs()).send(s).expect(200)).body[0]);
    }
    const agent = encodeURIComponent(JSON.stringify({ mbox: 'mailto:pager@example.com' }));
    const page1 = await http().get(`/xapi/statements?agent=${agent}&limit=2`).set(lrs()).expect(200);
    expect(page1.body.statements.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    expect(page1.body.more).toMatch(/^\/xapi\/statements\?more=/);
    const page2 = await http().get(page1.body.more).set(lrs()).expect(200);
    expect(page2.body.statements.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const page3 = await http().get(page2.body.more).set(lrs()).expect(200);
    expect(page3.body).toEqual({ statements: [expect.objectContaining({ id: ids[0] })], more: '' });
    const ascending = await http().get(`/xapi/statements?registration=${registration}&ascending=true`).set(lrs()).expect(200);
    expect(ascending.body.statements.map((s: { id: string }) => s.id)).toEqual(ids);
    const byActivity = await http().get(`/xapi/statements?activity=${encodeURIComponent('http://tools.example/q/3')}`).set(lrs()).expect(200);
    expect(byActivity.body.statements.map((s: { id: string }) => s.id)).toEqual([ids[3]]);
    const related = await http().get(`/xapi/statements?activity=${encodeURIComponent('http://tools.example/courses/c1')}&related_activities=true`).set(lrs()).expect(200);
    expect(related.body.statements.length).toBeGreaterThanOrEqual(2);
    const verb = await http().get(`/xapi/statements?verb=${encodeURIComponent('http://adlnet.gov/expapi/verbs/answered')}&since=${encodeURIComponent(page1.body.statements[1].stored)}`).set(lrs()).expect(200);
    expect(verb.body.statements.map((s: { id: string }) => s.id)).toEqual([ids[4]]);
    const ids1 = await http().get(`/xapi/statements?statementId=${id1}&format=ids`).set(lrs()).expect(200);
    expect(ids1.body.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:learner.one@example.com' });
    expect(ids1.body.object.definition).toBeUndefined();
    expect((await http().get('/xapi/statements?foo=1').set(lrs()).expect(400)).body.error.code).toBe('XAPI_INVALID_PARAMETER');
    await http().get('/xapi/statements?agent=notjson').set(lrs()).expect(400);
    await http().get('/xapi/statements?since=yesterday').set(lrs()).expect(400);
    // The reads are recorded, with the learners they were about.
    const reads = (await db.query(`SELECT data FROM events WHERE event_type = 'XapiStatementsRead' AND data->>'clientId' = $1`, [client.clientId])).rows;
    expect(reads.some((r) => r.data.learnerIds.includes(learner.userId))).toBe(true);
  });

  it('gives the course log as xAPI to its teacher: statements that came in over xAPI come back as stored', async () => {
    const res = await http().get(`/api/v1/courses/${courseId}/xapi?limit=500`).set(teacher.auth).expect(200);
    const view = res.body.statements.find((s: { verb: { id: string } }) => s.verb.id === 'http://adlnet.gov/expapi/verbs/experienced');
    expect(view).toMatchObject({ actor: { mbox: 'mailto:learner.one@example.com' }, object: { id: `${HOME}/courses/${courseId}/resources/${resourceId}` }, authority: { account: { name: client.clientId } } });
    const created = res.body.statements.find((s: { verb: { id: string } }) => s.verb.id === 'http://activitystrea.ms/schema/1.0/create');
    expect(created).toMatchObject({ actor: { account: { homePage: HOME, name: teacher.userId } }, object: { id: expect.stringContaining(`${HOME}/courses/${courseId}`) } });
    await http().get(`/api/v1/courses/${courseId}/xapi`).set(learner.auth).expect(403);
    const page = await http().get(`/api/v1/courses/${courseId}/xapi?limit=2`).set(teacher.auth).expect(200);
    expect(page.body.statements).toHaveLength(2);
    expect(page.body.more).toContain('cursor=');
    const next = await http().get(page.body.more).set(teacher.auth).expect(200);
    expect(next.body.statements[0].id).not.toBe(page.body.statements[0].id);
  });

  it('gives a learner\'s activity as xAPI for the privacy export, their statements as stored', async () => {
    const statements = [];
    for await (const s of learnerStatements(t.app.get(EventLog), learner.userId)) statements.push(s);
    expect(statements.find((s) => s.id === id1)).toMatchObject({ actor: { mbox: 'mailto:learner.one@example.com' }, result: { response: 'my free-text answer' } });
    expect(statements.some((s) => (s.verb as { id: string }).id === 'http://id.tincanapi.com/verb/viewed')).toBe(true);
    expect(learnerB.userId).toBeDefined();
  });
});

describe('erasure and the LRS', () => {
  it('finds nothing for an erased learner\'s email, account or old id, and starts a new, unlinked person for a new statement with the same email', async () => {
    const email = 'erase.me@example.com';
    const leaving = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email });
    const byMbox = { objectType: 'Agent', mbox: `mailto:${email}` };
    const byAccount = { objectType: 'Agent', account: { homePage: HOME, name: leaving.userId } };
    const [first] = (await http().post('/xapi/statements').set(lrs()).send([statement({ actor: byMbox }), statement({ actor: byAccount })]).expect(200)).body;
    const find = async (agent: unknown) => (await http().get(`/xapi/statements?agent=${encodeURIComponent(JSON.stringify(agent))}`).set(lrs()).expect(200)).body.statements.map((s: { id: string }) => s.id);
    expect(await find(byMbox)).toEqual([first]);
    expect(await find(byAccount)).toHaveLength(1);
    // Neither the log nor the index holds the email or a hash of it.
    const { rows: recorded } = await db.query(`SELECT data->>'agentKey' AS key FROM events WHERE event_type = 'XapiStatementRecorded' AND data->>'statementId' = $1`, [first]);
    expect(recorded[0].key).toMatch(/^[0-9a-f-]{36}$/);

    const dpoSession = await registerUser(t);
    await http().put(`/api/v1/users/${dpoSession.userId}/roles/dpo`).set(admin.auth).expect(204);
    const dpo = await signIn(t, dpoSession.username, dpoSession.password);
    const filed = await http().post('/api/v1/privacy/requests').set(leaving.auth).send({ type: 'erasure' }).expect(201);
    await http().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'nothing to keep' }).expect(200);
    const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
    await t.app.get(ProjectionRunner).waitFor(head!, 30_000);

    expect(await find(byMbox)).toEqual([]);
    expect(await find(byAccount)).toEqual([]);
    expect((await db.query('SELECT count(*)::int AS n FROM xapi_agents WHERE learner_id = $1', [leaving.userId])).rows[0].n).toBe(0);

    // The same email again: a new person, whose statements are not the old ones.
    const [again] = (await http().post('/xapi/statements').set(lrs()).send([statement({ actor: byMbox })]).expect(200)).body;
    expect(await find(byMbox)).toEqual([again]);
    const { rows: keys } = await db.query(`SELECT data->>'statementId' AS id, data->>'agentKey' AS key FROM events WHERE event_type = 'XapiStatementRecorded' AND data->>'statementId' = ANY ($1)`, [[first, again]]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(2);
  }, 60_000);
});

describe('the LRS body limit', () => {
  it('accepts a batch past the default 100 kB JSON limit (XAPI_BODY_LIMIT, 20 MB by default)', async () => {
    const big = Array.from({ length: 150 }, () => statement({ actor: { mbox: 'mailto:bulk@elsewhere.example' }, result: { response: 'x'.repeat(1000) } }));
    expect(JSON.stringify(big).length).toBeGreaterThan(150_000);
    expect((await http().post('/xapi/statements').set(lrs()).send(big).expect(200)).body).toHaveLength(150);
  });
});
