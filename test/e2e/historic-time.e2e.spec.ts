/**
 * Two times on every event: a school admin (the import permission) records a
 * past term with `occurredAt` on each write; the events happened then and were
 * recorded now. Lateness is reckoned at the historic time, a learner who has
 * since left is graded for the time they were in the course, and what an
 * import records for a learner (a submission, client-side activity) is the
 * learner's, marked as imported. Bad times and callers without the permission
 * are refused with stable codes and append nothing.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

let schoolId: string;
let schoolAdmin: Session;
let teacher: Session;
let ann: Session;
let ben: Session;
let cleo: Session;
let courseId: string;
let assignmentId: string;

const DAY = 86_400_000;
const COURSE_CREATED = '2024-01-08T00:00:00.000Z';
const ENROLLED = '2024-01-10T08:00:00.000Z';
const CLEO_LEFT = '2024-02-01T00:00:00.000Z';
const DUE = '2024-01-20T23:59:00.000Z';

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  schoolId = await createSchool(t, admin, 'Historic School');
  schoolAdmin = await openAccount(t, admin, { schoolId, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId, role: 'teacher' });
  [ann, ben, cleo] = await Promise.all([1, 2, 3].map(() => openAccount(t, schoolAdmin, { schoolId, role: 'learner' })));
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

/** Runs `fn` and checks that it appended no event. */
async function appendsNothing<T>(fn: () => Promise<T>): Promise<T> {
  const before = await countEvents(t);
  const out = await fn();
  expect(await countEvents(t)).toBe(before);
  return out;
}

async function eventsOf(streamId: string): Promise<{ type: string; metadata: Record<string, unknown>; data: Record<string, unknown>; recorded_at: Date }[]> {
  const { rows } = await db.query('SELECT event_type AS type, metadata, data, recorded_at FROM events WHERE stream_id = $1 ORDER BY stream_revision', [streamId]);
  return rows;
}

describe('a past term recorded with occurredAt', () => {
  it('creates the course at its historic time (the import permission only), recorded now', async () => {
    const before = Date.now();
    const body = { schoolId, title: 'History 1', code: 'HIS-1', subject: 'History', selfEnrolment: { enabled: false } };
    await appendsNothing(async () => {
      const refused = await http().post('/api/v1/courses').set(teacher.auth).send({ ...body, occurredAt: COURSE_CREATED }).expect(403);
      expect(refused.body.error.code).toBe('IMPORT_NOT_ALLOWED');
      const future = await http().post('/api/v1/courses').set(schoolAdmin.auth).send({ ...body, occurredAt: new Date(Date.now() + DAY).toISOString() }).expect(400);
      expect(future.body.error.code).toBe('OCCURRED_AT_IN_FUTURE');
      const bad = await http().post('/api/v1/courses').set(schoolAdmin.auth).send({ ...body, occurredAt: '2024-01-08 00:00' }).expect(400);
      expect(bad.body.error.code).toBe('OCCURRED_AT_INVALID');
    });
    courseId = (await http().post('/api/v1/courses').set(schoolAdmin.auth).send({ ...body, occurredAt: COURSE_CREATED }).expect(201)).body.courseId;
    await http().post(`/api/v1/courses/${courseId}/sections`).set(schoolAdmin.auth).send({ title: 'Week 1' }).expect(201);
    await http().put(`/api/v1/courses/${courseId}/teachers/${teacher.userId}`).set(schoolAdmin.auth).send({ role: 'teacher' }).expect(204);
    const [created] = await eventsOf(`course-${courseId}`);
    expect(created.type).toBe('CourseCreated');
    expect(created.metadata).toMatchObject({ occurredAt: COURSE_CREATED, origin: 'import', actorId: schoolAdmin.userId });
    expect(created.data.at).toBe(COURSE_CREATED);
    expect(created.recorded_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses history before the course existed', async () => {
    await appendsNothing(async () => {
      const res = await http().post(`/api/v1/courses/${courseId}/enrolments`).set(schoolAdmin.auth).send({ learnerId: ann.userId, occurredAt: '2024-01-07T23:59:59Z' }).expect(400);
      expect(res.body.error.code).toBe('OCCURRED_AT_BEFORE_COURSE');
    });
  });

  it('enrols learners in bulk, each at their own time, and records who left and when', async () => {
    await appendsNothing(async () => {
      const refused = await http()
        .post(`/api/v1/courses/${courseId}/enrolments/bulk`)
        .set(teacher.auth)
        .send({ learners: [{ learnerId: ann.userId, occurredAt: ENROLLED }] })
        .expect(403);
      expect(refused.body.error.code).toBe('IMPORT_NOT_ALLOWED');
      const whole = await http()
        .post(`/api/v1/courses/${courseId}/enrolments/bulk`)
        .set(schoolAdmin.auth)
        .send({ learners: [{ learnerId: ann.userId, occurredAt: ENROLLED }, { learnerId: randomUUID(), occurredAt: ENROLLED }] })
        .expect(400);
      expect(whole.body.error.code).toBe('BULK_REJECTED');
      expect(whole.body.error.details).toEqual([expect.objectContaining({ row: 1, status: 'refused', code: 'UNKNOWN_LEARNER' })]);
    });
    const res = await http()
      .post(`/api/v1/courses/${courseId}/enrolments/bulk`)
      .set(schoolAdmin.auth)
      .send({ learners: [ann, ben, cleo].map((l) => ({ learnerId: l.userId, occurredAt: ENROLLED, ...(l === cleo && { unenrolledAt: CLEO_LEFT }) })) })
      .expect(200);
    expect(res.body).toMatchObject({ enrolled: 3, alreadyEnrolled: 0, refused: 0 });
    expect(res.body.results[2]).toMatchObject({ learnerId: cleo.userId, status: 'enrolled', unenrolled: true });
    const again = await appendsNothing(() => http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(schoolAdmin.auth).send({ learners: [{ learnerId: ann.userId, occurredAt: ENROLLED }] }).expect(200));
    expect(again.body).toMatchObject({ enrolled: 0, alreadyEnrolled: 1 });
    const { rows } = await db.query('SELECT learner_id, status, enrolled_at, unenrolled_at FROM course_enrolments WHERE course_id = $1', [courseId]);
    const byLearner = new Map(rows.map((r) => [r.learner_id, r]));
    expect(byLearner.get(ann.userId)).toMatchObject({ status: 'active', enrolled_at: new Date(ENROLLED), unenrolled_at: null });
    expect(byLearner.get(cleo.userId)).toMatchObject({ status: 'unenrolled', enrolled_at: new Date(ENROLLED), unenrolled_at: new Date(CLEO_LEFT) });
  });

  it('reckons lateness at the historic time of each submission an import records for its learner', async () => {
    assignmentId = (
      await http()
        .post(`/api/v1/courses/${courseId}/assignments`)
        .set(schoolAdmin.auth)
        .send({ title: 'Essay', submissionTypes: ['text'], dueAt: DUE, maxGrade: 100, passGrade: 50, occurredAt: '2024-01-09T00:00:00Z' })
        .expect(201)
    ).body.assignmentId;
    const submit = (learner: Session, at: string) => http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(schoolAdmin.auth).send({ learnerId: learner.userId, text: 'My essay', occurredAt: at });
    const onTime = await submit(ann, '2024-01-19T10:00:00.000Z').expect(201);
    expect(onTime.body).toMatchObject({ learnerId: ann.userId, late: false, lateBySeconds: 0, submittedAt: '2024-01-19T10:00:00.000Z' });
    const lateAt = '2024-01-22T23:59:00.000Z';
    const late = await submit(ben, lateAt).expect(201);
    expect(late.body).toMatchObject({ late: true, lateBySeconds: (Date.parse(lateAt) - Date.parse(DUE)) / 1000 });
    // Cleo left on 1 February: her work of 25 January is hers and counts; after she left it is refused.
    await submit(cleo, '2024-01-25T09:00:00.000Z').expect(201);
    await appendsNothing(async () => {
      const after = await submit(cleo, '2024-02-02T09:00:00.000Z').expect(403);
      expect(after.body.error.code).toBe('NOT_ENROLLED');
      const byTeacher = await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(teacher.auth).send({ learnerId: ann.userId, text: 'x' }).expect(403);
      expect(byTeacher.body.error.code).toBe('IMPORT_NOT_ALLOWED');
    });
    const { rows: [submitted] } = await db.query("SELECT metadata FROM events WHERE event_type = 'AssignmentSubmitted' AND data->>'learnerId' = $1", [ben.userId]);
    expect(submitted.metadata).toMatchObject({ actorId: ben.userId, realActorId: null, origin: 'import', occurredAt: lateAt });
  });

  it('grades a learner who has since left for the time they were enrolled, not after', async () => {
    const graded = await http().post(`/api/v1/assignments/${assignmentId}/submissions/${cleo.userId}/grade`).set(teacher.auth).send({ grade: 70 }).expect(422);
    expect(graded.body.error.code).toBe('NOT_ENROLLED');
    await http().post(`/api/v1/assignments/${assignmentId}/submissions/${cleo.userId}/grade`).set(schoolAdmin.auth).send({ grade: 70, occurredAt: '2024-01-28T12:00:00Z' }).expect(200);
    const test = (
      await http().post(`/api/v1/courses/${courseId}/offline-tests`).set(schoolAdmin.auth).send({ title: 'Oral', maxGrade: 20, takenOn: '2024-01-26', occurredAt: '2024-01-26T00:00:00Z' }).expect(201)
    ).body.offlineTestId;
    await http().put(`/api/v1/offline-tests/${test}/results/${cleo.userId}`).set(schoolAdmin.auth).send({ grade: 15, occurredAt: '2024-01-27T00:00:00Z' }).expect(200);
    const { rows } = await db.query(`SELECT metadata->>'occurredAt' AS occurred, data->>'at' AS at FROM events WHERE event_type = 'OfflineResultRecorded'`);
    expect(rows).toEqual([{ occurred: '2024-01-27T00:00:00.000Z', at: '2024-01-27T00:00:00.000Z' }]);
  });

  it('records client-side activity for learners at its time: theirs, marked as imported', async () => {
    const items = [
      { id: randomUUID(), type: 'CourseViewed', courseId, learnerId: ann.userId, occurredAt: '2024-01-11T09:00:00Z' },
      { id: randomUUID(), type: 'CourseViewed', courseId, learnerId: ann.userId, occurredAt: '2024-01-12T09:00:00Z' },
      { id: randomUUID(), type: 'CourseViewed', courseId, learnerId: ben.userId, occurredAt: '2024-01-12T10:00:00Z' },
    ];
    await appendsNothing(async () => {
      const asTeacher = await http().post('/api/v1/activity').set(teacher.auth).send({ events: items }).expect(403);
      expect(asTeacher.body.error.code).toBe('IMPORT_NOT_ALLOWED');
      const afterLeaving = await http()
        .post('/api/v1/activity')
        .set(schoolAdmin.auth)
        .send({ events: [...items, { id: randomUUID(), type: 'CourseViewed', courseId, learnerId: cleo.userId, occurredAt: '2024-02-05T10:00:00Z' }] })
        .expect(400);
      expect(afterLeaving.body.error.details).toEqual([expect.objectContaining({ index: 3, field: 'learnerId' })]);
    });
    const res = await http().post('/api/v1/activity').set(schoolAdmin.auth).send({ events: items }).expect(201);
    expect(res.body).toMatchObject({ received: 3, recorded: 3, duplicates: 0 });
    const annEvents = await eventsOf(`activity-${ann.userId}`);
    expect(annEvents.map((e) => [e.metadata.occurredAt, e.metadata.actorId, e.metadata.origin, e.data.userId])).toEqual([
      ['2024-01-11T09:00:00.000Z', ann.userId, 'import', ann.userId],
      ['2024-01-12T09:00:00.000Z', ann.userId, 'import', ann.userId],
    ]);
    const retry = await http().post('/api/v1/activity').set(schoolAdmin.auth).send({ events: items }).expect(200);
    expect(retry.body).toMatchObject({ recorded: 0, duplicates: 3 });
  });
});

describe('bulk uploads', () => {
  it('opens accounts in bulk with temporary passwords, idempotently by username, refusing a bad upload whole', async () => {
    const usernames = ['bulk.one', 'bulk.two', 'bulk.three'].map((u) => `${u}.${process.pid}`);
    const rows = usernames.map((username, i) => ({ username, displayName: `Bulk ${i}`, role: 'learner', consentObtainedFrom: 'parent', occurredAt: '2024-01-05T00:00:00Z' }));
    await appendsNothing(async () => {
      const bad = await http().post('/api/v1/users/bulk').set(schoolAdmin.auth).send({ schoolId, rows: [...rows, { ...rows[0] }, { username: 'no.consent.x', displayName: 'X', role: 'learner' }] }).expect(400);
      expect(bad.body.error.code).toBe('BULK_REJECTED');
      expect(bad.body.error.details.map((d: { row: number; code: string }) => [d.row, d.code])).toEqual([[3, 'DUPLICATE_ROW'], [4, 'CONSENT_REQUIRED']]);
      const teacherImport = await http().post('/api/v1/users/bulk').set(teacher.auth).send({ schoolId, rows }).expect(403);
      expect(teacherImport.body.error.code).toBe('IMPORT_NOT_ALLOWED');
    });
    const res = await http().post('/api/v1/users/bulk').set(schoolAdmin.auth).send({ schoolId, rows }).expect(200);
    expect(res.body).toMatchObject({ created: 3, existing: 0, refused: 0 });
    const first = res.body.results[0];
    const { rows: events } = await db.query(`SELECT event_type, metadata->>'occurredAt' AS at, metadata->>'origin' AS origin FROM events WHERE stream_id = $1 ORDER BY stream_revision`, [`user-${first.userId}`]);
    expect(events.map((e) => [e.at, e.origin])).toEqual(events.map(() => ['2024-01-05T00:00:00.000Z', 'import']));
    // The temporary password is right (a wrong one is 401), must be changed first, and then signs in no more.
    await http().post('/api/v1/auth/login').send({ username: first.username, password: 'not-the-temporary-1' }).expect(401);
    const first1 = await http().post('/api/v1/auth/login').send({ username: first.username, password: first.temporaryPassword }).expect(403);
    expect(first1.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    await http().post('/api/v1/auth/password').send({ username: first.username, currentPassword: first.temporaryPassword, newPassword: 'a-brand-new-secret' }).expect(204);
    await http().post('/api/v1/auth/login').send({ username: first.username, password: 'a-brand-new-secret' }).expect(200);
    await http().post('/api/v1/auth/login').send({ username: first.username, password: first.temporaryPassword }).expect(401);
    const again = await appendsNothing(() => http().post('/api/v1/users/bulk').set(schoolAdmin.auth).send({ schoolId, rows }).expect(200));
    expect(again.body).toMatchObject({ created: 0, existing: 3 });
    expect(again.body.results.map((r: { userId: string }) => r.userId)).toEqual(res.body.results.map((r: { userId: string }) => r.userId));
    expect(again.body.results.every((r: { temporaryPassword?: string }) => r.temporaryPassword === undefined)).toBe(true);
  });

  it('records an offline test\'s results and an assignment\'s grades in bulk, at their times, idempotently', async () => {
    const test = (await http().post(`/api/v1/courses/${courseId}/offline-tests`).set(schoolAdmin.auth).send({ title: 'Final', maxGrade: 100, takenOn: '2024-01-30', occurredAt: '2024-01-30T00:00:00Z' }).expect(201)).body.offlineTestId;
    const rows = [
      { learnerId: ann.userId, grade: 81, occurredAt: '2024-01-31T00:00:00Z' },
      { learnerId: ben.userId, grade: 47, occurredAt: '2024-01-31T00:00:00Z' },
      { learnerId: cleo.userId, grade: 66, occurredAt: '2024-01-31T00:00:00Z' },
    ];
    await appendsNothing(async () => {
      const late = await http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(schoolAdmin.auth).send({ rows: [...rows.slice(0, 2), { ...rows[2], occurredAt: '2024-02-03T00:00:00Z' }] }).expect(400);
      expect(late.body.error.details).toEqual([expect.objectContaining({ row: 2, code: 'NOT_ENROLLED' })]);
    });
    const res = await http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(schoolAdmin.auth).send({ rows }).expect(200);
    expect(res.body).toMatchObject({ recorded: 3, unchanged: 0, refused: 0 });
    const { rows: recorded } = await db.query(`SELECT data->>'learnerId' AS learner, (data->>'grade')::float AS grade, metadata->>'occurredAt' AS at FROM events WHERE event_type = 'OfflineResultRecorded' AND data->>'offlineTestId' = $1`, [test]);
    expect(recorded.map((r) => [r.learner, r.grade, r.at]).sort()).toEqual(rows.map((r) => [r.learnerId, r.grade, '2024-01-31T00:00:00.000Z']).sort());
    const again = await appendsNothing(() => http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(schoolAdmin.auth).send({ rows }).expect(200));
    expect(again.body).toMatchObject({ recorded: 0, unchanged: 3 });

    const grades = await http()
      .post(`/api/v1/assignments/${assignmentId}/grades/bulk`)
      .set(schoolAdmin.auth)
      .send({ rows: [{ learnerId: ann.userId, grade: 90, occurredAt: '2024-01-29T00:00:00Z' }, { learnerId: ben.userId, grade: 40, occurredAt: '2024-01-29T00:00:00Z' }] })
      .expect(200);
    expect(grades.body).toMatchObject({ recorded: 2, refused: 0 });
    const { rows: graded } = await db.query(`SELECT learner_id, grade FROM assignment_submissions WHERE assignment_id = $1 AND learner_id = ANY ($2::uuid[]) ORDER BY grade`, [assignmentId, [ann.userId, ben.userId]]);
    expect(graded).toEqual([{ learner_id: ben.userId, grade: 40 }, { learner_id: ann.userId, grade: 90 }]);
  });
});
