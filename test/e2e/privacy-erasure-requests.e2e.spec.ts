/**
 * A person for whom several erasure requests are open at once (the learner
 * asks, and so do her school's admin and the DPO, before anyone decided):
 * carrying out one of them fulfils them all. Each is completed with the
 * erasure ('erased'), none stays open in the DPO's queue, to fall overdue on
 * its statutory deadline with nothing left to decide (its approval or
 * rejection would seal its reason under the person's keys, which are gone).
 * Her other requests still open (a restriction, an objection) have nothing
 * left to carry out: the DPO rejects them, the reason kept under the
 * officer's keys, since hers are gone.
 */
import pg from 'pg';
import request from 'supertest';
import { caughtUp } from '../support/courses';
import { createSchool, openAccount, privacyOfficer, type Session, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
let schoolAdmin: Session;
let dpo: Session;
let school: string;
const api = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Requests School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  dpo = await privacyOfficer(t, admin);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await t?.close();
});

const file = async (who: Session, subject: Session | null): Promise<string> =>
  (await api().post('/api/v1/privacy/requests').set(who.auth).send({ type: 'erasure', ...(subject && { subjectId: subject.userId }) }).expect(201)).body.requestId;

it('three erasure requests filed for one learner: approving one completes all three, and the queue keeps none', async () => {
  const learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' });
  const own = await file(learner, null);
  const bySchool = await file(schoolAdmin, learner);
  const byDpo = await file(dpo, learner);
  const approved = await api().post(`/api/v1/privacy/requests/${bySchool}/approve`).set(dpo.auth).send({ reason: 'no hold' }).expect(200);
  expect(approved.body).toMatchObject({ status: 'completed', outcome: 'erased' });
  for (const id of [own, byDpo]) {
    const other = await api().get(`/api/v1/privacy/requests/${id}`).set(dpo.auth).expect(200);
    expect({ id, status: other.body.status, outcome: other.body.outcome }).toEqual({ id, status: 'completed', outcome: 'erased' });
  }
  const queue = await api().get('/api/v1/privacy/requests/queue').set(dpo.auth).expect(200);
  const open = (queue.body.requests as { subjectId: string; status: string }[]).filter((r) => r.subjectId === learner.userId && r.status !== 'completed');
  expect(open).toEqual([]);
  // One erasure: one SubjectErased, every projection's receipt once.
  await caughtUp(t);
  expect((await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'SubjectErased' AND data->>'userId' = $1`, [learner.userId])).rows[0].n).toBe(1);
  expect((await db.query('SELECT projection, event_type, error FROM projection_dead_letters')).rows).toEqual([]);
});

it('her other requests still open when she is erased (a restriction, an objection): the DPO rejects them, the queue keeps none', async () => {
  const learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' });
  const restriction = (await api().post('/api/v1/privacy/requests').set(learner.auth).send({ type: 'restriction' }).expect(201)).body.requestId as string;
  const objection = (await api().post('/api/v1/privacy/requests').set(learner.auth).send({ type: 'objection' }).expect(201)).body.requestId as string;
  const erasure = await file(learner, null);
  await api().post(`/api/v1/privacy/requests/${erasure}/approve`).set(dpo.auth).send({ reason: 'no hold' }).expect(200);
  for (const id of [restriction, objection]) {
    // Nothing to restrict or object to any more: approving says so, and rejecting closes the request.
    const approve = await api().post(`/api/v1/privacy/requests/${id}/approve`).set(dpo.auth).send({});
    expect({ status: approve.status, code: approve.body.error?.code }).toEqual({ status: 409, code: 'SUBJECT_ERASED' });
    const rejected = await api().post(`/api/v1/privacy/requests/${id}/reject`).set(dpo.auth).send({ reason: 'the person has been erased' });
    expect({ status: rejected.status, body: rejected.body }).toMatchObject({ status: 200, body: { status: 'rejected', decisionReason: 'the person has been erased' } });
  }
  const queue = await api().get('/api/v1/privacy/requests/queue').set(dpo.auth).expect(200);
  expect((queue.body.requests as { subjectId: string; status: string }[]).filter((r) => r.subjectId === learner.userId && !['completed', 'rejected'].includes(r.status))).toEqual([]);
});
