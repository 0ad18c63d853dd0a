/**
 * The LRS's document resources end to end (State, Activity Profile, Agent
 * Profile), the Agents and Activities resources: bytes and content types
 * kept, JSON merge on POST, ETag/If-Match/If-None-Match (412, 409, 400 as
 * each version asks), HEAD, `since`, lists of ids, DELETE of one or all,
 * bad parameters (400, nothing written), credentials (401), one school's
 * LRS client never sees another's documents, and a learner's documents
 * gone when the learner is erased.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const HOME = 'https://learnstream.invalid';
const V1 = { 'X-Experience-API-Version': '1.0.3' };
const V2 = { 'X-Experience-API-Version': '2.0.0' };

let admin: Session;
let schoolAdmin: Session;
let learner: Session;
let client: { clientId: string; secret: string };
let clientB: { clientId: string; secret: string };

const basic = (c: { clientId: string; secret: string }) => ({ Authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}` });
const lrs = (c = client, v: Record<string, string> = V1) => ({ ...v, ...basic(c) });
const agent = (name = randomUUID()) => ({ objectType: 'Agent', account: { homePage: 'http://tool.example/users', name } });
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const qs = (params: Record<string, unknown>) => new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
const documentRows = async () => (await db.query('SELECT count(*)::int AS n FROM xapi_documents')).rows[0].n as number;

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  const schoolA = await createSchool(t, admin, 'School A');
  const schoolB = await createSchool(t, admin, 'School B');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  learner = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner' });
  const schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  client = (await http().post(`/api/v1/schools/${schoolA}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Tool A' }).expect(201)).body;
  clientB = (await http().post(`/api/v1/schools/${schoolB}/xapi-clients`).set(schoolAdminB.auth).send({ name: 'Tool B' }).expect(201)).body;
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('State resource', () => {
  const activityId = 'http://tool.example/activities/lesson-1';

  it('keeps a document as sent (bytes, content type) with its ETag and Last-Modified; HEAD gives the headers only', async () => {
    const params = { activityId, agent: agent(), stateId: 'bookmark' };
    const put = await http().put(`/xapi/activities/state?${qs(params)}`).set(lrs()).set('Content-Type', 'text/plain').send('page 7').expect(204);
    expect(put.headers['x-experience-api-consistent-through']).toBeTruthy();
    const got = await http().get(`/xapi/activities/state?${qs(params)}`).set(lrs()).expect(200);
    expect(got.text).toBe('page 7');
    expect(got.headers['content-type']).toMatch(/^text\/plain/);
    expect(got.headers.etag).toBe(`"${sha1('page 7')}"`);
    expect(Date.parse(got.headers['last-modified'])).not.toBeNaN();
    const head = await http().head(`/xapi/activities/state?${qs(params)}`).set(lrs()).expect(200);
    expect(head.headers.etag).toBe(got.headers.etag);
    expect(head.text ?? '').toBe('');
    // Another registration is another document.
    await http().get(`/xapi/activities/state?${qs({ ...params, registration: randomUUID() })}`).set(lrs()).expect(404);
  });

  it('merges JSON objects on POST (top-level keys), stores on POST when there is nothing yet, refuses to merge what is not a JSON object', async () => {
    const params = { activityId, agent: agent(), stateId: 'progress' };
    const url = `/xapi/activities/state?${qs(params)}`;
    await http().post(url).set(lrs()).send({ a: 1, nested: { x: 1, y: 2 } }).expect(204);
    await http().post(url).set(lrs()).send({ b: 2, nested: { z: 3 } }).expect(204);
    expect((await http().get(url).set(lrs()).expect(200)).body).toEqual({ a: 1, b: 2, nested: { z: 3 } });
    expect((await http().post(url).set(lrs()).set('Content-Type', 'text/plain').send('not json').expect(400)).body.error.code).toBe('XAPI_INVALID_DOCUMENT');
    expect((await http().post(url).set(lrs()).set('Content-Type', 'application/json').send('[1, 2]').expect(400)).body.error.code).toBe('XAPI_INVALID_DOCUMENT');
    expect((await http().get(url).set(lrs()).expect(200)).body).toEqual({ a: 1, b: 2, nested: { z: 3 } });
    const text = { ...params, stateId: 'plain' };
    await http().put(`/xapi/activities/state?${qs(text)}`).set(lrs()).set('Content-Type', 'text/plain').send('x').expect(204);
    await http().post(`/xapi/activities/state?${qs(text)}`).set(lrs()).send({ a: 1 }).expect(400);
    expect((await http().get(`/xapi/activities/state?${qs(text)}`).set(lrs()).expect(200)).text).toBe('x');
  });

  it('lists ids (since), deletes one, then all of the activity and agent', async () => {
    const who = agent();
    const base = { activityId, agent: who };
    await http().put(`/xapi/activities/state?${qs({ ...base, stateId: 's1' })}`).set(lrs()).send({ n: 1 }).expect(204);
    // `since` has millisecond precision and the first write's time microseconds: once the clock's millisecond has moved on,
    // the first write (done before it) is before `between` for certain, not in the same millisecond.
    for (const written = Date.now(); Date.now() <= written; );
    const between = new Date().toISOString();
    // The second write's time is after `between` by the database's clock: wait until it has moved past it.
    for (let n = 0; (await db.query('SELECT clock_timestamp() <= $1::timestamptz AS behind', [between])).rows[0].behind && n < 1000; n++);
    await http().put(`/xapi/activities/state?${qs({ ...base, stateId: 's2' })}`).set(lrs()).send({ n: 2 }).expect(204);
    const registration = randomUUID();
    await http().put(`/xapi/activities/state?${qs({ ...base, stateId: 's3', registration })}`).set(lrs()).send({ n: 3 }).expect(204);
    expect((await http().get(`/xapi/activities/state?${qs(base)}`).set(lrs()).expect(200)).body).toEqual(['s1', 's2', 's3']);
    expect((await http().get(`/xapi/activities/state?${qs({ ...base, registration })}`).set(lrs()).expect(200)).body).toEqual(['s3']);
    expect((await http().get(`/xapi/activities/state?${qs({ ...base, since: between })}`).set(lrs()).expect(200)).body).toEqual(['s2', 's3']);
    await http().delete(`/xapi/activities/state?${qs({ ...base, stateId: 's1' })}`).set(lrs()).expect(204);
    await http().get(`/xapi/activities/state?${qs({ ...base, stateId: 's1' })}`).set(lrs()).expect(404);
    await http().delete(`/xapi/activities/state?${qs(base)}`).set(lrs()).expect(204);
    expect((await http().get(`/xapi/activities/state?${qs(base)}`).set(lrs()).expect(200)).body).toEqual([]);
  });

  it('refuses bad parameters with 400 and writes nothing; 401 without credentials', async () => {
    const before = await documentRows();
    const good = { activityId, agent: agent(), stateId: 'x' };
    const cases: Record<string, unknown>[] = [
      { agent: good.agent, stateId: 'x' },
      { activityId, stateId: 'x' },
      { activityId: 'not an iri', agent: good.agent, stateId: 'x' },
      { ...good, agent: '{"mbox":' },
      { ...good, agent: { mbox: 'not-mailto' } },
      { ...good, registration: 'not-a-uuid' },
      { activityId, agent: good.agent },
      { ...good, unknown: 'x' },
    ];
    for (const params of cases) {
      const res = await http().put(`/xapi/activities/state?${qs(params)}`).set(lrs()).send({ a: 1 });
      expect({ params, status: res.status, header: Boolean(res.headers['x-experience-api-consistent-through']) }).toEqual({ params, status: 400, header: true });
    }
    await http().get(`/xapi/activities/state?${qs({ activityId, agent: good.agent, since: 'yesterday' })}`).set(lrs()).expect(400);
    await http().put(`/xapi/activities/state?${qs(good)}`).set(V1).send({ a: 1 }).expect(401);
    await http().put(`/xapi/activities/state?${qs(good)}`).set(basic(client)).send({ a: 1 }).expect(400);
    expect(await documentRows()).toBe(before);
  });

  it('keeps each school\'s documents to its own LRS client', async () => {
    const params = { activityId, agent: agent(), stateId: 'secret' };
    await http().put(`/xapi/activities/state?${qs(params)}`).set(lrs()).send({ mine: true }).expect(204);
    await http().get(`/xapi/activities/state?${qs(params)}`).set(lrs(clientB)).expect(404);
    expect((await http().get(`/xapi/activities/state?${qs({ activityId, agent: params.agent })}`).set(lrs(clientB)).expect(200)).body).toEqual([]);
    await http().delete(`/xapi/activities/state?${qs({ activityId, agent: params.agent })}`).set(lrs(clientB)).expect(204);
    expect((await http().get(`/xapi/activities/state?${qs(params)}`).set(lrs()).expect(200)).body).toEqual({ mine: true });
  });
});

describe('concurrency (ETags)', () => {
  it('honours If-Match and If-None-Match (412), and asks a profile PUT for one of them (1.0.3: 400 new, 409 existing)', async () => {
    const params = { activityId: 'http://tool.example/activities/quiz', profileId: randomUUID() };
    const url = `/xapi/activities/profile?${qs(params)}`;
    expect((await http().put(url).set(lrs()).send({ v: 0 }).expect(400)).body.error.code).toBe('XAPI_PRECONDITION_REQUIRED');
    await http().put(url).set(lrs()).set('If-None-Match', '*').send({ v: 1 }).expect(204);
    await http().put(url).set(lrs()).set('If-None-Match', '*').send({ v: 2 }).expect(412);
    const conflict = await http().put(url).set(lrs()).send({ v: 2 }).expect(409);
    expect(conflict.body.error.code).toBe('XAPI_DOCUMENT_EXISTS');
    const etag = (await http().get(url).set(lrs()).expect(200)).headers.etag;
    expect(etag).toBe(`"${sha1(JSON.stringify({ v: 1 }))}"`);
    await http().put(url).set(lrs()).set('If-Match', `"${sha1('something else')}"`).send({ v: 3 }).expect(412);
    await http().post(url).set(lrs()).set('If-Match', `"${sha1('something else')}"`).send({ w: 3 }).expect(412);
    await http().delete(url).set(lrs()).set('If-Match', `"${sha1('something else')}"`).expect(412);
    expect((await http().get(url).set(lrs()).expect(200)).body).toEqual({ v: 1 });
    await http().put(url).set(lrs()).set('If-Match', etag).send({ v: 4 }).expect(204);
    expect((await http().get(url).set(lrs()).expect(200)).body).toEqual({ v: 4 });
    await http().delete(url).set(lrs()).set('If-Match', `"${sha1(JSON.stringify({ v: 4 }))}"`).expect(204);
    await http().get(url).set(lrs()).expect(404);
  });

  it('under 2.0.0, a State PUT that would overwrite without a precondition is 409; a new one is fine', async () => {
    const params = { activityId: 'http://tool.example/activities/x', agent: agent(), stateId: 's' };
    const url = `/xapi/activities/state?${qs(params)}`;
    await http().put(url).set(lrs(client, V2)).send({ v: 1 }).expect(204);
    await http().put(url).set(lrs(client, V2)).send({ v: 2 }).expect(409);
    await http().put(url).set(lrs(client, V1)).send({ v: 3 }).expect(204);
    expect((await http().get(url).set(lrs(client, V2)).expect(200)).body).toEqual({ v: 3 });
  });
});

describe('Agent Profile, Agents and Activities resources', () => {
  it('keeps an agent\'s profiles by agent and lists their ids', async () => {
    const who = agent();
    await http().put(`/xapi/agents/profile?${qs({ agent: who, profileId: 'prefs' })}`).set(lrs()).set('If-None-Match', '*').send({ theme: 'dark' }).expect(204);
    await http().post(`/xapi/agents/profile?${qs({ agent: who, profileId: 'prefs' })}`).set(lrs()).send({ size: 'large' }).expect(204);
    expect((await http().get(`/xapi/agents/profile?${qs({ agent: who, profileId: 'prefs' })}`).set(lrs()).expect(200)).body).toEqual({ theme: 'dark', size: 'large' });
    expect((await http().get(`/xapi/agents/profile?${qs({ agent: who })}`).set(lrs()).expect(200)).body).toEqual(['prefs']);
    expect((await http().get(`/xapi/agents/profile?${qs({ agent: agent() })}`).set(lrs()).expect(200)).body).toEqual([]);
    await http().get(`/xapi/agents/profile?${qs({ profileId: 'prefs' })}`).set(lrs()).expect(400);
  });

  it('returns the Person object of an agent', async () => {
    const who = { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@tool.example' };
    expect((await http().get(`/xapi/agents?${qs({ agent: who })}`).set(lrs()).expect(200)).body).toEqual({ objectType: 'Person', name: ['Ann'], mbox: ['mailto:ann@tool.example'] });
    await http().get('/xapi/agents').set(lrs()).expect(400);
    await http().get(`/xapi/agents?${qs({ agent: { name: 'no identifier' } })}`).set(lrs()).expect(400);
  });

  it('returns an activity with every language and key its statements gave, for the school that received them', async () => {
    const id = `http://tool.example/activities/${randomUUID()}`;
    const s = (definition: Record<string, unknown>) => ({ actor: agent(), verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' }, object: { objectType: 'Activity', id, definition } });
    await http().post('/xapi/statements').set(lrs()).send([s({ name: { 'en-US': 'Quiz' }, type: 'http://adlnet.gov/expapi/activities/assessment' }), s({ name: { 'th-TH': 'แบบทดสอบ' }, description: { 'en-US': 'Ten questions' } })]).expect(200);
    const got = (await http().get(`/xapi/activities?${qs({ activityId: id })}`).set(lrs()).expect(200)).body;
    expect(got).toEqual({ objectType: 'Activity', id, definition: { name: { 'en-US': 'Quiz', 'th-TH': 'แบบทดสอบ' }, description: { 'en-US': 'Ten questions' }, type: 'http://adlnet.gov/expapi/activities/assessment' } });
    expect((await http().get(`/xapi/activities?${qs({ activityId: id })}`).set(lrs(clientB)).expect(200)).body).toEqual({ objectType: 'Activity', id });
    await http().get('/xapi/activities').set(lrs()).expect(400);
  });
});

describe('erasure', () => {
  it('deletes the State and Agent Profile documents of an erased learner', async () => {
    const me = { objectType: 'Agent', account: { homePage: HOME, name: learner.userId } };
    const other = agent();
    await http().put(`/xapi/activities/state?${qs({ activityId: 'http://tool.example/a', agent: me, stateId: 'mine' })}`).set(lrs()).send({ private: 'notes' }).expect(204);
    await http().put(`/xapi/agents/profile?${qs({ agent: me, profileId: 'p' })}`).set(lrs()).set('If-None-Match', '*').send({ likes: 'cats' }).expect(204);
    await http().put(`/xapi/activities/state?${qs({ activityId: 'http://tool.example/a', agent: other, stateId: 'theirs' })}`).set(lrs()).send({ keep: true }).expect(204);
    const dpo = await registerUser(t);
    await http().put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
    const filed = await http().post('/api/v1/privacy/requests').set(learner.auth).send({ type: 'erasure', note: 'forget me' }).expect(201);
    const approved = await http().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'nothing to keep' }).expect(200);
    expect(approved.body).toMatchObject({ outcome: 'erased' });
    for (const until = Date.now() + 120_000; ; ) {
      const receipts = (await http().get(`/api/v1/privacy/requests/${filed.body.requestId}/receipts`).set(dpo.auth).expect(200)).body;
      if (receipts.complete) break;
      if (Date.now() > until) throw new Error(`not every projection acknowledged: ${JSON.stringify(receipts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await http().get(`/xapi/activities/state?${qs({ activityId: 'http://tool.example/a', agent: me, stateId: 'mine' })}`).set(lrs()).expect(404);
    await http().get(`/xapi/agents/profile?${qs({ agent: me, profileId: 'p' })}`).set(lrs()).expect(404);
    expect((await http().get(`/xapi/activities/state?${qs({ activityId: 'http://tool.example/a', agent: other, stateId: 'theirs' })}`).set(lrs()).expect(200)).body).toEqual({ keep: true });
    const { rows } = await db.query("SELECT count(*)::int AS n FROM xapi_documents WHERE convert_from(content, 'UTF8') LIKE '%notes%' OR convert_from(content, 'UTF8') LIKE '%cats%'");
    expect(rows[0].n).toBe(0);
  });
});
