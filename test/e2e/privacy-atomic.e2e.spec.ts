/**
 * The privacy feature's multi-event changes are one atomic append, and the
 * erasure series (which crosses into the key store, another database)
 * converges after a crash in the middle.
 *
 * Faults are real: a trigger in the test database refuses one event type at
 * INSERT (SQLSTATE 23514, as a CHECK constraint would), or refuses the
 * revocation of sessions. With the fault at the second part of a change,
 * nothing of the first part may be written: no approval without its outcome,
 * no cancellation whose sessions stay open, no lock without its revocation.
 */
import pg from 'pg';
import request from 'supertest';
import { keyStoreUrlFor } from '../../libs/database/src/key-store-database';
import { EventLog } from '../../libs/event-store/src';
import { privacyRequestStream, RetentionSweep, userStream } from '../../libs/privacy/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { countEvents, createSchool, openAccount, PASSWORD, privacyOfficer, registerUser, type Session, signIn, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
let keysDb: pg.Client;
let admin: Session;
let schoolAdmin: Session;
let school: string;
let dpo: Session;
const api = () => request(t.app.getHttpServer());

async function settled(): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 60_000);
}

/** Event types of a stream, in order. */
async function types(streamId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of t.app.get(EventLog).store.readStream(streamId)) out.push(e.type);
  return out;
}

/** A real fault: INSERTs of `type` into the log are refused by the database until `clear()`. */
async function refuseEvent(type: string): Promise<void> {
  await db.query(`CREATE OR REPLACE TRIGGER test_refuse_event BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.event_type = '${type}') EXECUTE FUNCTION test_refuse()`);
}
/** A real fault: revoking a session (UPDATE of auth_sessions.revoked_at) is refused. */
async function refuseRevocation(): Promise<void> {
  await db.query(`CREATE OR REPLACE TRIGGER test_refuse_revocation BEFORE UPDATE OF revoked_at ON auth_sessions FOR EACH ROW EXECUTE FUNCTION test_refuse()`);
}
async function clear(): Promise<void> {
  await db.query('DROP TRIGGER IF EXISTS test_refuse_event ON events');
  await db.query('DROP TRIGGER IF EXISTS test_refuse_revocation ON auth_sessions');
}

async function file(who: Session, body: Record<string, unknown>): Promise<string> {
  const res = await api().post('/api/v1/privacy/requests').set(who.auth).send(body).expect(201);
  return res.body.requestId;
}
const approve = (id: string) => api().post(`/api/v1/privacy/requests/${id}/approve`).set(dpo.auth).send({ reason: 'identity checked' });
const learner = (displayName: string) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName, dateOfBirth: '2001-02-03' });

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  keysDb = new pg.Client({ connectionString: keyStoreUrlFor(t.db.url) });
  await keysDb.connect();
  await db.query(`CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; END $$`);
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Atomic Privacy School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  dpo = await privacyOfficer(t, admin);
}, 180_000);

afterEach(clear);

afterAll(async () => {
  await clear().catch(() => undefined);
  await db?.end();
  await keysDb?.end();
  await t?.close();
});

describe('approving a request: the approval and its outcome are one append', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an export (completion refused)', { type: 'export' }, 'PrivacyRequestCompleted'],
    ['a restriction (ProcessingRestricted refused)', { type: 'restriction', note: 'stop using my data' }, 'ProcessingRestricted'],
    ['an objection (ProfilingObjected refused)', { type: 'objection' }, 'ProfilingObjected'],
    ['a rectification (ProfileUpdated refused)', { type: 'rectification', changes: { displayName: 'Corrected Name' } }, 'ProfileUpdated'],
  ];

  it.each(cases)('%s: nothing is written, the request stays pending; approved again without the fault, it completes', async (_name, body, refused) => {
    const subject = await learner('Pending Pim');
    const requestId = await file(subject, body);
    const [requestBefore, subjectBefore, events] = [await types(privacyRequestStream(requestId)), await types(userStream(subject.userId)), await countEvents(t)];

    await refuseEvent(refused);
    expect((await approve(requestId)).status).toBeGreaterThanOrEqual(400);
    expect(await types(privacyRequestStream(requestId))).toEqual(requestBefore);
    expect(await types(userStream(subject.userId))).toEqual(subjectBefore);
    expect(await countEvents(t)).toBe(events);

    await clear();
    // The log says what was done (the answer's view comes from a read model that a loaded machine can hold back).
    await approve(requestId).expect(200);
    expect(await types(privacyRequestStream(requestId))).toEqual([...requestBefore, 'PrivacyRequestApproved', 'PrivacyRequestCompleted']);
  });

  it('an erasure under a legal hold: approval and deferral are one append', async () => {
    const held = await learner('Held Hom');
    await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).send({ reason: 'case 2026/4' }).expect(200);
    const requestId = await file(held, { type: 'erasure' });
    await refuseEvent('ErasureDeferred');
    expect((await approve(requestId)).status).toBeGreaterThanOrEqual(400);
    expect(await types(privacyRequestStream(requestId))).toEqual(['PrivacyRequestFiled']);
    await clear();
    await approve(requestId).expect(200);
    expect(await types(privacyRequestStream(requestId))).toEqual(['PrivacyRequestFiled', 'PrivacyRequestApproved', 'ErasureDeferred']);
  });
});

describe('ending sessions is in the transaction of the event that ends them', () => {
  it('a cancellation whose session revocation fails writes nothing, and the person stays signed in; without the fault both happen', async () => {
    const leaver = await learner('Leaving Lom');
    const before = await types(userStream(leaver.userId));
    await refuseRevocation();
    expect((await api().post(`/api/v1/privacy/subjects/${leaver.userId}/cancellation`).set(leaver.auth)).status).toBeGreaterThanOrEqual(400);
    expect(await types(userStream(leaver.userId))).toEqual(before);
    await api().get('/api/v1/me').set(leaver.auth).expect(200);

    await clear();
    await api().post(`/api/v1/privacy/subjects/${leaver.userId}/cancellation`).set(leaver.auth).expect(200);
    expect((await types(userStream(leaver.userId))).slice(before.length)).toEqual(['AccountLocked', 'AccountCancelled']);
    await api().get('/api/v1/me').set(leaver.auth).expect(401);
    expect((await db.query('SELECT revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE user_id = $1', [leaver.userId])).rows).toEqual([{ revoked: true }]);
  });

  it('a staff lock and a password reset: no event without the revocation, and the revocation with the event', async () => {
    const locked = await learner('Locked Lamai');
    const before = await types(userStream(locked.userId));
    await refuseRevocation();
    expect((await api().post(`/api/v1/users/${locked.userId}/lock`).set(schoolAdmin.auth)).status).toBeGreaterThanOrEqual(400);
    expect((await api().post(`/api/v1/users/${locked.userId}/password-reset`).set(schoolAdmin.auth)).status).toBeGreaterThanOrEqual(400);
    expect(await types(userStream(locked.userId))).toEqual(before);
    await api().get('/api/v1/me').set(locked.auth).expect(200);

    await clear();
    await api().post(`/api/v1/users/${locked.userId}/lock`).set(schoolAdmin.auth).expect((res) => expect(res.status).toBeLessThan(300));
    await api().get('/api/v1/me').set(locked.auth).expect(401);
    expect((await types(userStream(locked.userId))).slice(before.length)).toEqual(['AccountLocked']);
  });

  it('a platform admin whose role is withdrawn loses the support sessions in which they act as someone else, at once', async () => {
    const helper = await registerUser(t);
    await api().put(`/api/v1/users/${helper.userId}/roles/platform_admin`).set(admin.auth).expect(204);
    const support = await signIn(t, helper.username, PASSWORD);
    const pupil = await learner('Helped Hathai');
    const acting = (await api().post('/api/v1/auth/impersonate').set(support.auth).send({ userId: pupil.userId, reason: 'Ticket 77: cannot open the quiz' }).expect(200)).body;
    const as = { Authorization: `Bearer ${acting.accessToken}` };
    await api().get('/api/v1/me').set(as).expect(200);
    await api().delete(`/api/v1/users/${helper.userId}/roles/platform_admin`).set(admin.auth).expect(204);
    await api().get('/api/v1/me').set(support.auth).expect(401);
    await api().get('/api/v1/me').set(as).expect(401);
  });

  it('a session opened after the lock is not ended by a rebuild of the accounts read model (the revocation looks at sessions opened before the event)', async () => {
    const back = await learner('Back Bua');
    await api().post(`/api/v1/users/${back.userId}/lock`).set(schoolAdmin.auth).expect((res) => expect(res.status).toBeLessThan(300));
    await api().post(`/api/v1/users/${back.userId}/unlock`).set(schoolAdmin.auth).expect((res) => expect(res.status).toBeLessThan(300));
    const again = await signIn(t, back.username, PASSWORD);
    await api().post('/api/v1/admin/projections/accounts/rebuild').set({ Authorization: `Bearer ${t.opsToken}` }).expect((res) => expect(res.status).toBeLessThan(300));
    await settled();
    await api().get('/api/v1/me').set(again.auth).expect(200);
  });
});

describe('a legal hold lifted over several deferred erasures', () => {
  it('the erasures complete together with SubjectErased; a crash before that append leaves them all deferred, and the sweep converges', async () => {
    const held = await learner('Twice Tida');
    await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).send({ reason: 'case 2026/9' }).expect(200);
    const first = await file(held, { type: 'erasure' });
    const second = await file(held, { type: 'erasure', note: 'asking again' });
    for (const id of [first, second]) {
      await approve(id).expect(200);
      expect(await types(privacyRequestStream(id))).toEqual(['PrivacyRequestFiled', 'PrivacyRequestApproved', 'ErasureDeferred']);
    }
    await settled();

    // The crash: the batch that records the erasure is refused, after the keys are gone.
    await refuseEvent('SubjectErased');
    expect((await api().delete(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth)).status).toBeGreaterThanOrEqual(400);
    expect(await types(userStream(held.userId))).toContain('LegalHoldLifted');
    expect(await types(userStream(held.userId))).not.toContain('SubjectErased');
    // None of the two is half done: both still deferred.
    for (const id of [first, second]) expect(await types(privacyRequestStream(id))).toEqual(['PrivacyRequestFiled', 'PrivacyRequestApproved', 'ErasureDeferred']);
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [held.userId])).rows[0].n).toBe(0);

    // Resumed: the sweep finds deferred erasures without a hold and completes them, in one batch with SubjectErased.
    await clear();
    await settled();
    const run = await t.app.get(RetentionSweep).run();
    expect(run.errors).toEqual([]);
    for (const id of [first, second]) expect(await types(privacyRequestStream(id))).toEqual(['PrivacyRequestFiled', 'PrivacyRequestApproved', 'ErasureDeferred', 'PrivacyRequestCompleted']);
    expect((await types(userStream(held.userId))).filter((x) => x === 'SubjectErased')).toHaveLength(1);
    // Run again: nothing more.
    const events = await countEvents(t);
    await t.app.get(RetentionSweep).run();
    expect((await types(userStream(held.userId))).filter((x) => x === 'SubjectErased')).toHaveLength(1);
    expect(await countEvents(t)).toBeGreaterThanOrEqual(events);
    await settled();
    await api().get(`/api/v1/privacy/requests/${second}`).set(dpo.auth).expect(200).expect((res) => expect(res.body).toMatchObject({ status: 'completed', outcome: 'erased' }));
  });

  it('without a fault, lifting the hold completes every deferred erasure in the append that records SubjectErased', async () => {
    const held = await learner('Both Busaba');
    await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).send({ reason: 'case 2026/10' }).expect(200);
    const ids = [await file(held, { type: 'erasure' }), await file(held, { type: 'erasure', note: 'again' })];
    for (const id of ids) await approve(id).expect(200);
    await settled();
    await api().delete(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).expect(200);
    const erased = [];
    for await (const e of t.app.get(EventLog).store.readStream(userStream(held.userId))) if (e.type === 'SubjectErased') erased.push(e.position.commit);
    const completed = [];
    for (const id of ids) for await (const e of t.app.get(EventLog).store.readStream(privacyRequestStream(id))) if (e.type === 'PrivacyRequestCompleted') completed.push(e.position.commit);
    // One transaction: the same commit id.
    expect(erased).toHaveLength(1);
    expect(completed).toEqual([erased[0], erased[0]]);
  });
});

describe('a read of other people’s grades and its access record are one append', () => {
  it('with PersonalDataAccessed refused, the read fails and records no view; without the fault both land in one commit', async () => {
    const teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
    const pupil = await learner('Graded Gai');
    const course = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Art', code: 'ART-1', subject: 'Art', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
    await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [pupil.userId] }).expect(200);
    await api().post(`/api/v1/courses/${course}/gradebook`).set(teacher.auth).send({}).expect(201);
    await api().post(`/api/v1/courses/${course}/gradebook/items`).set(teacher.auth).send({ source: { kind: 'manual' }, name: 'Portfolio', maxGrade: 10, weight: 1 }).expect(201);
    const stream = `activity-${teacher.userId}`;
    const before = await types(stream);

    await refuseEvent('PersonalDataAccessed');
    for (const path of [`/api/v1/courses/${course}/grades`, `/api/v1/courses/${course}/grades/${pupil.userId}`]) {
      const res = await api().get(path).set(teacher.auth);
      expect({ path, refused: res.status >= 400 }).toEqual({ path, refused: true });
    }
    expect(await types(stream)).toEqual(before);

    await clear();
    await api().get(`/api/v1/courses/${course}/grades/${pupil.userId}`).set(teacher.auth).expect(200);
    const commits = new Map<string, bigint>();
    for await (const e of t.app.get(EventLog).store.readStream(stream)) commits.set(e.type, e.position.commit);
    expect(commits.get('GradesViewed')).toBeDefined();
    expect(commits.get('PersonalDataAccessed')).toBe(commits.get('GradesViewed'));
  });
});

describe('a request just filed or decided is answered as it is, whatever the asynchronous projections are doing', () => {
  it('with the projection runner stopped: filing answers 201 with the request, approving answers it completed, a cancellation answers restricted', async () => {
    const runner = t.app.get(ProjectionRunner);
    const subject = await learner('Waiting Wan');
    await runner.stop();
    try {
      const filed = await api().post('/api/v1/privacy/requests').set(subject.auth).send({ type: 'export' });
      expect({ status: filed.status, state: filed.body.status }).toEqual({ status: 201, state: 'pending' });
      const approved = await approve(filed.body.requestId);
      expect({ status: approved.status, state: approved.body.status, outcome: approved.body.outcome }).toEqual({ status: 200, state: 'completed', outcome: 'export_ready' });
      // A cancellation: restricted at once (the access policy reads the same flags).
      const leaver = await learner('Leaving Lamun');
      const cancelled = await api().post(`/api/v1/privacy/subjects/${leaver.userId}/cancellation`).set(leaver.auth);
      expect({ status: cancelled.status, restricted: cancelled.body.restricted, reasons: cancelled.body.restrictionReasons }).toEqual({ status: 200, restricted: true, reasons: ['cancelled'] });
    } finally {
      await runner.start();
    }
  });
});
