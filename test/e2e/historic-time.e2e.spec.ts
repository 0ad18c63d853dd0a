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
import { caughtUp } from '../support/courses';
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
  // Usage cells of fewer than k people are suppressed: k = 1 here, so that the few learners of the term are counted.
  t = await createTestApp({ USAGE_MIN_CELL_SIZE: '1' });
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

/**
 * A second migrated course, March 2024, with its own learners (opened with their historic time, so the usage
 * statistics place them as learners on those days): enrolled in bulk at their own times, one leaving, one never
 * active; quiz attempts, resource events and submissions recorded by the import at their times. Every figure the
 * reports give is worked out below from the table of what each learner did (ACTIONS) and how many events of
 * theirs each action is (EVENTS): lateness, the school report's periods, inactivity as of a date, usage by day.
 */
describe('a migrated term in the reports: lateness, periods, inactivity, usage by day', () => {
  const MARCH = { created: '2024-03-01T00:00:00.000Z', opened: '2024-02-20T00:00:00.000Z', due: '2024-03-15T23:59:00.000Z' };
  type Kind = 'CourseViewed' | 'ResourceViewed' | 'PageTimeRecorded' | 'start' | 'save' | 'submit' | 'submission';
  /** The learner's own events each action appends: an attempt's submission is AttemptSubmitted and AttemptGraded. */
  const EVENTS: Record<Kind, number> = { CourseViewed: 1, ResourceViewed: 1, PageTimeRecorded: 1, start: 1, save: 1, submit: 2, submission: 1 };
  const ACTIONS: { who: 'dan' | 'eve' | 'fay'; kind: Kind; at: string }[] = [
    { who: 'dan', kind: 'CourseViewed', at: '2024-03-03T10:00:00.000Z' },
    { who: 'dan', kind: 'ResourceViewed', at: '2024-03-03T10:05:00.000Z' },
    { who: 'eve', kind: 'ResourceViewed', at: '2024-03-03T11:00:00.000Z' },
    { who: 'eve', kind: 'PageTimeRecorded', at: '2024-03-03T11:30:00.000Z' },
    { who: 'fay', kind: 'CourseViewed', at: '2024-03-04T09:00:00.000Z' },
    { who: 'dan', kind: 'start', at: '2024-03-05T09:00:00.000Z' },
    { who: 'dan', kind: 'save', at: '2024-03-05T09:10:00.000Z' },
    { who: 'dan', kind: 'submit', at: '2024-03-05T09:20:00.000Z' },
    { who: 'eve', kind: 'start', at: '2024-03-06T14:00:00.000Z' },
    { who: 'eve', kind: 'submit', at: '2024-03-06T14:30:00.000Z' },
    { who: 'fay', kind: 'submission', at: '2024-03-10T09:00:00.000Z' },
    { who: 'dan', kind: 'submission', at: '2024-03-14T12:00:00.000Z' },
    { who: 'eve', kind: 'submission', at: '2024-03-17T08:00:00.000Z' },
  ];
  const ENROLLED_AT = { dan: '2024-03-02T08:00:00.000Z', eve: '2024-03-02T08:00:00.000Z', fay: '2024-03-02T08:00:00.000Z', gus: '2024-03-04T08:00:00.000Z' };
  const FAY_LEFT = '2024-03-20T00:00:00.000Z';
  const people: Record<'dan' | 'eve' | 'fay' | 'gus', string> = { dan: '', eve: '', fay: '', gus: '' };
  let march: string;
  let quizId: string;
  let questionId: string;
  let pageId: string;
  let essayId: string;
  const attempts = new Map<string, string>();

  const day = (at: string) => at.slice(0, 10);
  const eventsOfActions = (list: typeof ACTIONS) => list.reduce((n, a) => n + EVENTS[a.kind], 0);

  beforeAll(async () => {
    for (const who of Object.keys(people) as (keyof typeof people)[]) {
      const res = await http()
        .post('/api/v1/users')
        .set(schoolAdmin.auth)
        .send({ username: `${who}-${randomUUID().slice(0, 8)}`, displayName: who, schoolId, role: 'learner', consentObtainedFrom: 'parent', occurredAt: MARCH.opened })
        .expect(201);
      people[who] = res.body.userId;
    }
    const course = { schoolId, title: 'History 2', code: 'HIS-2', subject: 'History', selfEnrolment: { enabled: false }, occurredAt: MARCH.created };
    march = (await http().post('/api/v1/courses').set(schoolAdmin.auth).send(course).expect(201)).body.courseId;
    const sectionId = (await http().post(`/api/v1/courses/${march}/sections`).set(schoolAdmin.auth).send({ title: 'March' }).expect(201)).body.sectionId;
    await http().put(`/api/v1/courses/${march}/teachers/${teacher.userId}`).set(schoolAdmin.auth).send({ role: 'teacher' }).expect(204);
    pageId = (await http().post(`/api/v1/courses/${march}/resources`).set(teacher.auth).send({ sectionId, kind: 'page', title: 'Reading', content: { body: 'Read me.' } }).expect(201)).body.resourceId;
    const learners = (Object.keys(ENROLLED_AT) as (keyof typeof ENROLLED_AT)[]).map((who) => ({
      learnerId: people[who],
      occurredAt: ENROLLED_AT[who],
      ...(who === 'fay' && { unenrolledAt: FAY_LEFT }),
    }));
    await http().post(`/api/v1/courses/${march}/enrolments/bulk`).set(schoolAdmin.auth).send({ learners }).expect(200);
    questionId = randomUUID();
    quizId = (
      await http()
        .post(`/api/v1/courses/${march}/quizzes`)
        .set(teacher.auth)
        .send({ title: 'Dates', attemptsAllowed: 0, gradingMethod: 'highest', maxGrade: 10, questions: [{ questionId, kind: 'true_false', text: '1066 came before 1215.', points: 1, skills: ['dates'], correct: true }] })
        .expect(201)
    ).body.quizId;
    essayId = (
      await http()
        .post(`/api/v1/courses/${march}/assignments`)
        .set(schoolAdmin.auth)
        .send({ title: 'Essay', submissionTypes: ['text'], dueAt: MARCH.due, maxGrade: 20, occurredAt: '2024-03-02T00:00:00Z' })
        .expect(201)
    ).body.assignmentId;
  }, 120_000);

  it('records quiz attempts at their historic times for their learners (the import permission only), in order', async () => {
    const dan = people.dan;
    await appendsNothing(async () => {
      const byTeacher = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(teacher.auth).send({ learnerId: dan, occurredAt: '2024-03-05T09:00:00Z' }).expect(403);
      expect(byTeacher.body.error.code).toBe('IMPORT_NOT_ALLOWED');
      const byLearner = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(ann.auth).send({ occurredAt: '2024-03-05T09:00:00Z' }).expect(403);
      expect(byLearner.body.error.code).toBe('IMPORT_NOT_ALLOWED');
      const early = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(schoolAdmin.auth).send({ learnerId: dan, occurredAt: '2024-02-29T09:00:00Z' }).expect(400);
      expect(early.body.error.code).toBe('OCCURRED_AT_BEFORE_COURSE');
      // Gus was enrolled on the 4th: not yet on the 3rd.
      const notYet = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(schoolAdmin.auth).send({ learnerId: people.gus, occurredAt: '2024-03-03T09:00:00Z' }).expect(403);
      expect(notYet.body.error.code).toBe('NOT_ENROLLED');
    });
    for (const a of ACTIONS.filter((x) => ['start', 'save', 'submit'].includes(x.kind))) {
      const learnerId = people[a.who];
      if (a.kind === 'start') {
        const res = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(schoolAdmin.auth).send({ learnerId, occurredAt: a.at }).expect(201);
        attempts.set(a.who, res.body.attemptId);
        continue;
      }
      const attemptId = attempts.get(a.who)!;
      if (a.kind === 'save') {
        await appendsNothing(async () => {
          const before = await http()
            .put(`/api/v1/attempts/${attemptId}/answers`)
            .set(schoolAdmin.auth)
            .send({ answers: [{ questionId, answer: true }], occurredAt: '2024-03-05T08:59:00Z' })
            .expect(400);
          expect(before.body.error.code).toBe('OCCURRED_AT_BEFORE_ATTEMPT');
          const other = await http().put(`/api/v1/attempts/${attemptId}/answers`).set(ben.auth).send({ answers: [{ questionId, answer: true }] }).expect(403);
          expect(other.body.error.code).toBe('FORBIDDEN');
        });
        await http().put(`/api/v1/attempts/${attemptId}/answers`).set(schoolAdmin.auth).send({ answers: [{ questionId, answer: true }], occurredAt: a.at }).expect(200);
      } else {
        const res = await http().post(`/api/v1/attempts/${attemptId}/submit`).set(schoolAdmin.auth).send({ occurredAt: a.at }).expect(200);
        expect(res.body).toMatchObject({ automatic: false, grade: a.who === 'dan' ? 10 : 0 });
      }
    }
    const { rows: stream } = await db.query<{ type: string; metadata: Record<string, unknown> }>(
      `SELECT event_type AS type, metadata FROM events WHERE data->>'attemptId' = $1 ORDER BY global_position`,
      [attempts.get('dan')],
    );
    expect(stream.map((e) => [e.type, e.metadata.occurredAt, e.metadata.actorId, e.metadata.origin])).toEqual([
      ['AttemptStarted', '2024-03-05T09:00:00.000Z', dan, 'import'],
      ['AnswersSaved', '2024-03-05T09:10:00.000Z', dan, 'import'],
      ['AttemptSubmitted', '2024-03-05T09:20:00.000Z', dan, 'import'],
      ['AttemptGraded', '2024-03-05T09:20:00.000Z', dan, 'import'],
    ]);
    await caughtUp(t);
    const review = await http().get(`/api/v1/attempts/${attempts.get('dan')}`).set(teacher.auth).expect(200);
    expect(review.body).toMatchObject({ startedAt: '2024-03-05T09:00:00.000Z', submittedAt: '2024-03-05T09:20:00.000Z', durationSeconds: 1200, status: 'submitted' });
  });

  it('records resource events and submissions at their times; lateness is reckoned at them', async () => {
    const activity = ACTIONS.filter((a) => ['CourseViewed', 'ResourceViewed', 'PageTimeRecorded'].includes(a.kind)).map((a) => ({
      id: randomUUID(),
      type: a.kind,
      courseId: march,
      learnerId: people[a.who],
      occurredAt: a.at,
      ...(a.kind !== 'CourseViewed' && { resourceId: pageId }),
      ...(a.kind === 'PageTimeRecorded' && { seconds: 120 }),
    }));
    await http().post('/api/v1/activity').set(schoolAdmin.auth).send({ events: activity }).expect(201);
    for (const a of ACTIONS.filter((x) => x.kind === 'submission')) {
      await http().post(`/api/v1/assignments/${essayId}/submissions`).set(schoolAdmin.auth).send({ learnerId: people[a.who], text: `${a.who}'s essay`, occurredAt: a.at }).expect(201);
    }
    await caughtUp(t);
    const list = await http().get(`/api/v1/assignments/${essayId}/submissions`).set(teacher.auth).expect(200);
    const expected = ACTIONS.filter((a) => a.kind === 'submission').map((a) => {
      const by = Math.floor((Date.parse(a.at) - Date.parse(MARCH.due)) / 1000);
      return { learnerId: people[a.who], submittedAt: a.at, late: by > 0, lateBySeconds: by > 0 ? by : 0 };
    });
    const got = (list.body.submissions as { learnerId: string; submittedAt: string; late: boolean; lateBySeconds: number }[]).map(({ learnerId, submittedAt, late, lateBySeconds }) => ({ learnerId, submittedAt, late, lateBySeconds }));
    expect(got.sort((x, y) => x.learnerId.localeCompare(y.learnerId))).toEqual(expected.sort((x, y) => x.learnerId.localeCompare(y.learnerId)));
    expect(expected.filter((e) => e.late)).toHaveLength(1);

    // The log holds, for each learner and day, exactly the events the table says: theirs, at those times.
    const { rows } = await db.query<{ actor: string; day: string; n: number }>(
      `SELECT metadata->>'actorId' AS actor, left(metadata->>'occurredAt', 10) AS day, count(*)::int AS n FROM events
       WHERE metadata->>'actorId' = ANY($1) AND metadata->>'realActorId' IS NULL GROUP BY 1, 2`,
      [Object.values(people)],
    );
    const logged = Object.fromEntries(rows.map((r) => [`${r.actor} ${r.day}`, r.n]));
    const planned: Record<string, number> = {};
    for (const a of ACTIONS) planned[`${people[a.who]} ${day(a.at)}`] = (planned[`${people[a.who]} ${day(a.at)}`] ?? 0) + EVENTS[a.kind];
    expect(logged).toEqual(planned);
  });

  it('gives the school report of a past period the learners active in it and their events', async () => {
    const admin = await signInAdmin(t);
    for (const [from, to] of [
      ['2024-03-01', '2024-03-05'],
      ['2024-03-06', '2024-03-31'],
      ['2024-03-18', '2024-03-31'],
    ]) {
      const inPeriod = ACTIONS.filter((a) => day(a.at) >= from && day(a.at) <= to);
      const res = await http().get(`/api/v1/reports/schools/${schoolId}?from=${from}&to=${to}`).set(admin.auth).expect(200);
      const row = (res.body.courses as { courseId: string; activeLearners: number; learnerEvents: number; enrolments: number }[]).find((c) => c.courseId === march)!;
      expect([from, to, row.activeLearners, row.learnerEvents]).toEqual([from, to, new Set(inPeriod.map((a) => a.who)).size, eventsOfActions(inPeriod)]);
    }
  });

  it('flags inactivity as of a past date from the historic times, and counts each learner\'s events then', async () => {
    const asOf = '2024-03-13T12:00:00.000Z';
    const inactiveDays = 7;
    const res = await http().get(`/api/v1/reports/courses/${march}?asOf=${asOf}&inactiveDays=${inactiveDays}`).set(teacher.auth).expect(200);
    const byId = new Map((res.body.participants as { learnerId: string; lastAccessAt: string | null; events: number; atRisk: { baseline: { reasons: { rule: string; since?: string; neverActive?: boolean; days?: number }[] } } }[]).map((p) => [p.learnerId, p]));
    for (const who of ['dan', 'eve', 'fay', 'gus'] as const) {
      const mine = ACTIONS.filter((a) => a.who === who && a.at <= asOf);
      const last = mine.length ? mine.map((a) => a.at).sort().at(-1)! : null;
      const since = last ?? ENROLLED_AT[who];
      const elapsed = (Date.parse(asOf) - Date.parse(since)) / DAY;
      const inactive = elapsed >= inactiveDays ? [{ rule: 'inactive', since, neverActive: last === null, days: Math.floor(elapsed * 10) / 10 }] : [];
      const p = byId.get(people[who])!;
      expect([who, p.lastAccessAt, p.events, p.atRisk.baseline.reasons.filter((r) => r.rule === 'inactive').map(({ rule, since: s, neverActive, days }) => ({ rule, since: s, neverActive, days }))]).toEqual([
        who,
        last,
        eventsOfActions(mine),
        inactive,
      ]);
    }
    // Dan (last seen on the 5th) and Gus (never, enrolled on the 4th) are inactive; Eve and Fay are not.
    expect([...byId.values()].filter((p) => p.atRisk.baseline.reasons.some((r) => r.rule === 'inactive')).map((p) => p.learnerId).sort()).toEqual([people.dan, people.gus].sort());
  });

  it('gives per-assessment statistics for the quiz, the assignment and the offline test, in REST and GraphQL', async () => {
    const TAKEN_ON = '2024-03-18';
    const offlineId = (
      await http().post(`/api/v1/courses/${march}/offline-tests`).set(schoolAdmin.auth).send({ title: 'Oral', maxGrade: 20, takenOn: TAKEN_ON, occurredAt: '2024-03-18T00:00:00Z' }).expect(201)
    ).body.offlineTestId;
    // Grades out of 20: the essay's (Fay's too: she has left, so she is not in the class), the oral's (Gus's late, Eve's missing).
    const essay = { dan: 15, eve: 8, fay: 19 };
    const oral = { dan: { grade: 12, at: '2024-03-18T10:00:00Z' }, gus: { grade: 18, at: '2024-03-21T10:00:00Z' } };
    for (const [who, grade] of Object.entries(essay)) {
      await http().post(`/api/v1/assignments/${essayId}/submissions/${people[who as 'dan']}/grade`).set(schoolAdmin.auth).send({ grade, occurredAt: '2024-03-19T12:00:00Z' }).expect(200);
    }
    for (const [who, r] of Object.entries(oral)) {
      await http().put(`/api/v1/offline-tests/${offlineId}/results/${people[who as 'dan']}`).set(schoolAdmin.auth).send({ grade: r.grade, occurredAt: r.at }).expect(200);
    }
    await caughtUp(t);

    // The class now: Dan, Eve and Gus (Fay left on the 20th).
    const stats = (percentages: number[], late: number | null, missing: number, dueAt: string | null) => {
      const sorted = [...percentages].sort((a, b) => a - b);
      const mid = sorted.length / 2;
      const bins = Array.from({ length: 10 }, (_, k) => ({ from: k * 10, to: k * 10 + 10, count: percentages.filter((x) => Math.min(9, Math.floor(x / 10)) === k).length }));
      const [r2, r3] = [(x: number) => Math.round(x * 100) / 100, (x: number) => Math.round(x * 1000) / 1000];
      return {
        dueAt,
        learners: 3,
        graded: percentages.length,
        meanPercentage: r2(percentages.reduce((a, b) => a + b, 0) / percentages.length),
        medianPercentage: r2(sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2),
        distribution: bins,
        facility: r3(percentages.reduce((a, b) => a + b, 0) / percentages.length / 100),
        late,
        missing,
      };
    };
    const expected = {
      // Dan's attempt 10/10, Eve's 0/10, Gus none; no closing time, so no lateness.
      [quizId]: { kind: 'quiz', title: 'Dates', ...stats([100, 0], null, 1, null) },
      // Dan on time, Eve two days late, Gus nothing.
      [essayId]: { kind: 'assignment', title: 'Essay', ...stats([(15 / 20) * 100, (8 / 20) * 100], 1, 1, MARCH.due) },
      // Taken on the 18th (due by its end): Dan's result that day, Gus's three days later, Eve's missing.
      [offlineId]: { kind: 'offline', title: 'Oral', ...stats([(12 / 20) * 100, (18 / 20) * 100], 1, 1, `${TAKEN_ON}T23:59:59.000Z`) },
    };
    const rest = await http().get(`/api/v1/reports/courses/${march}`).set(teacher.auth).expect(200);
    const byId = (list: { assessmentId: string }[]) => Object.fromEntries(list.map(({ assessmentId, ...rest }) => [assessmentId, rest]));
    expect(byId(rest.body.assessments)).toEqual(expected);

    const fields = 'assessmentId kind title dueAt learners graded meanPercentage medianPercentage distribution { from to count } facility late missing';
    const gql = await http()
      .post('/graphql')
      .set(teacher.auth)
      .send({ query: `query($id: ID!) { classReport(courseId: $id) { assessments { ${fields} } } }`, variables: { id: march } })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(byId(gql.body.data.classReport.assessments)).toEqual(expected);

    // The CSV table says the same, one line per assessment, a column per bin of 10 points.
    const csv = await http().get(`/api/v1/reports/courses/${march}?format=csv&table=assessments`).set(teacher.auth).expect(200);
    const [header, ...lines] = csv.text.trim().split(/\r?\n/).map((l) => l.split(','));
    expect(header).toEqual(['courseId', 'assessmentId', 'kind', 'title', 'dueAt', 'learners', 'graded', 'meanPercentage', 'medianPercentage', 'facility', 'late', 'missing', ...[0, 10, 20, 30, 40, 50, 60, 70, 80, 90].map((k) => `from${k}`)]);
    const csvRows = Object.fromEntries(lines.map((l) => [l[1], l]));
    for (const [id, e] of Object.entries(expected)) {
      expect(csvRows[id]).toEqual([march, id, e.kind, e.title, e.dueAt ?? '', '3', String(e.graded), String(e.meanPercentage), String(e.medianPercentage), String(e.facility), e.late === null ? '' : String(e.late), String(e.missing), ...e.distribution.map((d) => String(d.count))]);
    }

    // As of the 17th: the oral did not exist yet; the essay had Eve's late work but no grades.
    const then = await http().get(`/api/v1/reports/courses/${march}?asOf=2024-03-17T12:00:00Z`).set(teacher.auth).expect(200);
    const essayThen = byId(then.body.assessments)[essayId];
    expect(Object.keys(byId(then.body.assessments)).sort()).toEqual([essayId]);
    expect(essayThen).toMatchObject({ learners: 4, graded: 0, meanPercentage: null, medianPercentage: null, facility: null, late: 1, missing: 1 });
  });

  it('puts usage on the days it happened: learners active each day, their events, resource views', async () => {
    const admin = await signInAdmin(t);
    const res = await http().get('/api/v1/reports/usage?from=2024-03-01&to=2024-03-20&granularity=day&by=role').set(admin.auth).expect(200);
    type Cell = { key: string; people: number | null; events: number | null };
    const periods = res.body.periods as { period: string; activeUsers: { cells: Cell[] }; contentAccess: { resourceViews: { people: number | null; views: number | null } } }[];
    expect(periods).toHaveLength(20);
    for (const period of periods) {
      const today = ACTIONS.filter((a) => day(a.at) === period.period);
      const learners = period.activeUsers.cells.find((c) => c.key === 'learner');
      expect([period.period, learners?.people ?? 0, learners?.events ?? 0]).toEqual([period.period, new Set(today.map((a) => a.who)).size, eventsOfActions(today)]);
      const views = today.filter((a) => a.kind === 'ResourceViewed');
      expect([period.period, period.contentAccess.resourceViews.people ?? 0, period.contentAccess.resourceViews.views ?? 0]).toEqual([period.period, new Set(views.map((a) => a.who)).size, views.length]);
    }
  });
});
