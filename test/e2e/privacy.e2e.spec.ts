/**
 * Data-subject rights over HTTP (/api/v1/privacy), one by one: who may file
 * and decide requests, deadlines, access and portability (JSON and xAPI,
 * audited), rectification reaching the read models, restriction and
 * objection reaching the reports, consents per purpose (and a parent's for a
 * minor), the access audit and breach review, the legal hold that defers an
 * erasure, account cancellation, the retention registry and the sweep (dry
 * run, CLI, real run). The erasure acceptance test is privacy-erasure.e2e.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { keyStoreUrlFor } from '../../libs/database/src/key-store-database';
import request from 'supertest';
import { runCli } from '../../apps/cli/src/cli';
import { EventLog } from '../../libs/event-store/src';
import { requestEvent, RetentionSweep, userStream } from '../../libs/privacy/src';
import { ProjectionRunner } from '../../libs/projections/src';
import type { CourseLogRow } from '../../libs/reports/src';
import { createSchool, openAccount, PASSWORD, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

/** The parts of an exported xAPI statement the tests read. */
interface XapiStatement {
  context: { extensions: Record<string, unknown> };
  timestamp: string;
  result: { score: unknown };
  actor: { account?: unknown };
}

let t: TestApp;
let db: pg.Client;
/** The key store's own database (keys and the erasure ledger). */
let keysDb: pg.Client;
const api = () => request(t.app.getHttpServer());

let admin: Session;
let school: string;
let schoolAdmin: Session;
let teacher: Session;
let learner: Session;
let other: Session;
let minor: Session;
let parent: Session;
let dpo: Session;
let outsider: Session;
let course: string;
let quizId: string;
let essayId: string;

const MINOR_DOB = `${new Date().getUTCFullYear() - 12}-05-01`;
const SHORT = { kind: 'short_answer', text: 'Who are you?', points: 1, skills: ['identity'], accepted: ['me'], caseSensitive: false };

/** Waits until every projection has applied everything appended so far. */
async function settled(): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

async function file(who: Session, body: Record<string, unknown>, status = 201) {
  const res = await api().post('/api/v1/privacy/requests').set(who.auth).send(body);
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  return res.body;
}

const approve = (id: string, who: Session = dpo) => api().post(`/api/v1/privacy/requests/${id}/approve`).set(who.auth).send({ reason: 'checked the identity' });

beforeAll(async () => {
  t = await createTestApp({ USAGE_MIN_CELL_SIZE: '1' });
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  keysDb = new pg.Client({ connectionString: keyStoreUrlFor(t.db.url) });
  await keysDb.connect();
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Privacy School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', displayName: 'Teacher Tee' });
  learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Learner Lin', dateOfBirth: '2001-02-03' });
  other = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Other Oat', dateOfBirth: '2001-02-03' });
  minor = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Minor Mai', dateOfBirth: MINOR_DOB });
  parent = await registerUser(t);
  outsider = await registerUser(t);
  dpo = await registerUser(t);
  await api().put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
  dpo = await signIn(t, dpo.username, PASSWORD);
  const link = await api().post('/api/v1/parent-links').set(parent.auth).send({ childId: minor.userId }).expect(201);
  await api().post(`/api/v1/parent-links/${link.body.linkId}/confirm`).set(schoolAdmin.auth).expect(200);

  const c = await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Civics', code: 'CIV-1', subject: 'Civics', selfEnrolment: { enabled: false } }).expect(201);
  course = c.body.courseId;
  await api().post(`/api/v1/courses/${course}/sections`).set(teacher.auth).send({ title: 'Term 1' }).expect(201);
  await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [learner.userId, other.userId, minor.userId] }).expect(200);
  const q = await api().post(`/api/v1/courses/${course}/quizzes`).set(teacher.auth).send({ title: 'Who', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, questions: [SHORT] }).expect(201);
  quizId = q.body.quizId;
  const a = await api().post(`/api/v1/courses/${course}/assignments`).set(teacher.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201);
  essayId = a.body.assignmentId;
  // The learner works; the teacher grades.
  const attempt = await api().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).expect(201);
  await api().put(`/api/v1/attempts/${attempt.body.attemptId}/answers`).set(learner.auth).send({ answers: [{ questionId: q.body.questions[0].questionId, answer: 'Lin, from Chiang Mai' }] }).expect(200);
  await api().post(`/api/v1/attempts/${attempt.body.attemptId}/submit`).set(learner.auth).expect(200);
  await api().post(`/api/v1/assignments/${essayId}/submissions`).set(learner.auth).send({ text: 'My summer in Chiang Mai' }).expect(201);
  await api().post(`/api/v1/assignments/${essayId}/submissions/${learner.userId}/grade`).set(teacher.auth).send({ grade: 80, feedback: 'Lovely, Lin' }).expect(200);
  await settled();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await keysDb?.end();
  await t?.close();
});

describe('requests: who may file, decide and see them', () => {
  it('the subject files for themself; the deadline is 30 days on', async () => {
    const r = await file(learner, { type: 'export', note: 'all of it please' });
    expect(r).toMatchObject({ subjectId: learner.userId, type: 'export', status: 'pending', filedBy: learner.userId, filedAs: 'self', overdue: false, details: { note: 'all of it please' } });
    expect(Date.parse(r.dueAt) - Date.parse(r.filedAt)).toBe(30 * 86_400_000);
    expect(r.daysLeft).toBeGreaterThanOrEqual(29);
  });

  it('a parent files for their minor child, a school admin for their learner, the DPO for anyone; nobody else', async () => {
    expect(await file(parent, { subjectId: minor.userId, type: 'restriction' })).toMatchObject({ filedAs: 'parent', subjectId: minor.userId });
    expect(await file(schoolAdmin, { subjectId: learner.userId, type: 'export' })).toMatchObject({ filedAs: 'school_admin' });
    expect(await file(dpo, { subjectId: other.userId, type: 'export' })).toMatchObject({ filedAs: 'dpo' });
    for (const who of [teacher, other, outsider, parent]) {
      const res = await file(who, { subjectId: learner.userId, type: 'erasure' }, 403);
      expect(res.error.code).toBe('FORBIDDEN');
    }
  });

  it('only the DPO decides: approve carries out, a rejection needs a reason, a decided request stays decided', async () => {
    const r = await file(learner, { type: 'export' });
    for (const who of [learner, teacher, schoolAdmin, admin]) await approve(r.requestId, who).expect(403);
    const done = await approve(r.requestId).expect(200);
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'export_ready', decidedBy: dpo.userId, decisionReason: 'checked the identity', daysLeft: null });

    const x = await file(learner, { type: 'objection', note: 'no profiling' });
    expect((await api().post(`/api/v1/privacy/requests/${x.requestId}/reject`).set(dpo.auth).send({}).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    const rejected = await api().post(`/api/v1/privacy/requests/${x.requestId}/reject`).set(dpo.auth).send({ reason: 'filed twice' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'filed twice' });
    expect((await approve(x.requestId).expect(409)).body.error.code).toBe('REQUEST_NOT_OPEN');
  });

  it('the requester or the subject withdraws a pending request; others learn nothing of it', async () => {
    const r = await file(schoolAdmin, { subjectId: other.userId, type: 'restriction' });
    await api().post(`/api/v1/privacy/requests/${r.requestId}/withdraw`).set(teacher.auth).expect(404);
    await api().get(`/api/v1/privacy/requests/${r.requestId}`).set(teacher.auth).expect(404);
    await api().get(`/api/v1/privacy/requests/${r.requestId}`).set(other.auth).expect(200);
    expect((await api().post(`/api/v1/privacy/requests/${r.requestId}/withdraw`).set(other.auth).expect(200)).body.status).toBe('withdrawn');
  });

  it('a DPO cannot decide a request about themself', async () => {
    const r = await file(dpo, { type: 'export' });
    expect((await approve(r.requestId).expect(403)).body.error.code).toBe('OWN_REQUEST');
  });

  it('the subject lists theirs; the DPO’s queue shows open requests, overdue ones first and on demand', async () => {
    // A request filed 40 days ago (appended as it was then).
    const old = randomUUID();
    const filedAt = new Date(Date.now() - 40 * 86_400_000);
    await t.app.get(EventLog).append(`privacy_request-${old}`, [
      requestEvent(
        { userId: other.userId, realActorId: null, request: null },
        {
          type: 'PrivacyRequestFiled',
          data: { requestId: old, subjectId: other.userId, type: 'erasure', filedBy: other.userId, filedAs: 'self', details: null, dueAt: new Date(filedAt.getTime() + 30 * 86_400_000).toISOString(), at: filedAt.toISOString() },
        },
      ),
    ]);
    await settled();
    const mine = await api().get('/api/v1/privacy/requests').set(learner.auth).expect(200);
    expect(mine.body.requests.every((r: { subjectId: string; filedBy: string }) => r.subjectId === learner.userId || r.filedBy === learner.userId)).toBe(true);
    expect(mine.body.requests.length).toBeGreaterThanOrEqual(3);
    await api().get('/api/v1/privacy/requests/queue').set(learner.auth).expect(403);
    const queue = await api().get('/api/v1/privacy/requests/queue').set(dpo.auth).expect(200);
    expect(queue.body.requests[0]).toMatchObject({ requestId: old, overdue: true });
    expect(queue.body.overdue).toBe(1);
    const overdue = await api().get('/api/v1/privacy/requests/queue?overdue=true').set(dpo.auth).expect(200);
    expect(overdue.body.requests.map((r: { requestId: string }) => r.requestId)).toEqual([old]);
    expect(overdue.body.requests[0].daysLeft).toBeLessThan(-9);
    // Rejected, so that the sweep later has no erasure of the other learner to carry out.
    await api().post(`/api/v1/privacy/requests/${old}/reject`).set(dpo.auth).send({ reason: 'identity not confirmed' }).expect(200);
  });
});

describe('access and portability', () => {
  it('the learner downloads everything held about them, their activity log with their IPs, as JSON', async () => {
    const res = await api().get('/api/v1/privacy/export').set(learner.auth).expect(200);
    const x = res.body;
    expect(x).toMatchObject({ schemaVersion: 1, subject: { userId: learner.userId }, profile: { displayName: 'Learner Lin', dateOfBirth: '2001-02-03' } });
    expect(x.affiliations.memberships).toEqual([expect.objectContaining({ schoolId: school, schoolName: 'Privacy School', role: 'learner' })]);
    expect(x.enrolments).toEqual([expect.objectContaining({ courseId: course, courseTitle: 'Civics', status: 'active' })]);
    expect(Object.values(x.assessments.attempts[0].answers)).toEqual(['Lin, from Chiang Mai']);
    expect(x.assessments.submissions[0]).toMatchObject({ text: 'My summer in Chiang Mai', grade: 80, feedback: 'Lovely, Lin', gradedBy: teacher.userId });
    expect(x.grades.activityResults).toEqual(expect.arrayContaining([expect.objectContaining({ activityId: essayId, grade: 80 })]));
    expect(x.consents).toMatchObject({ marketing: { holds: false }, analytics: { holds: true }, profiling: { holds: true } });
    const own = x.activityLog.find((e: { type: string }) => e.type === 'AnswersSaved');
    expect(own).toMatchObject({ actorId: learner.userId, you: expect.arrayContaining(['actor']) });
    expect(own.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(JSON.stringify(own.data)).toContain('Lin, from Chiang Mai');
    // The teacher's grading event is theirs too (as the related user), but the teacher's IP is withheld.
    const graded = x.activityLog.find((e: { type: string }) => e.type === 'SubmissionGraded');
    expect(graded).toMatchObject({ actorId: teacher.userId, you: expect.arrayContaining(['related']), ip: null, data: expect.objectContaining({ feedback: 'Lovely, Lin' }) });
    expect(graded.withheld).toEqual(expect.arrayContaining(['envelope.ip']));
    const schema = await api().get('/api/v1/privacy/export-schema').set(learner.auth).expect(200);
    expect(schema.body.required).toEqual(expect.arrayContaining(Object.keys(x).filter((k) => k !== 'schema' && k !== 'schemaVersion' && k !== 'generatedAt')));
  });

  it('as xAPI statements: actor by mbox, verb IRIs, objects, timestamps, the course as context', async () => {
    const res = await api().get('/api/v1/privacy/export?format=xapi').set(learner.auth).expect(200);
    const statements = res.body.statements as XapiStatement[];
    const submit = statements.find((s) => s.context.extensions['https://learnstream.invalid/xapi/extensions/event-type'] === 'AssignmentSubmitted')!;
    expect(submit).toMatchObject({
      actor: { objectType: 'Agent', mbox: expect.stringMatching(/^mailto:/) },
      verb: { id: 'http://activitystrea.ms/schema/1.0/submit' },
      object: { objectType: 'Activity', id: `https://learnstream.invalid/assignment/${essayId}` },
      context: { contextActivities: { parent: [{ id: `https://learnstream.invalid/course/${course}` }] } },
      version: '1.0.3',
    });
    expect(Date.parse(submit.timestamp)).not.toBeNaN();
    const graded = statements.find((s) => s.context.extensions['https://learnstream.invalid/xapi/extensions/event-type'] === 'AttemptGraded')!;
    expect(graded.result.score).toMatchObject({ max: 10, min: 0 });
    expect(graded.actor.account).toBeUndefined();
  });

  it('every export is audited; a teacher may not export a learner; a parent may export their minor child', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'PersonalDataExported' AND stream_id = $1`, [userStream(learner.userId)]);
    expect(rows[0].n).toBe(2);
    await api().get(`/api/v1/privacy/subjects/${learner.userId}/export`).set(teacher.auth).expect(403);
    await api().get(`/api/v1/privacy/subjects/${learner.userId}/export`).set(parent.auth).expect(403);
    const child = await api().get(`/api/v1/privacy/subjects/${minor.userId}/export`).set(parent.auth).expect(200);
    expect(child.body.profile.displayName).toBe('Minor Mai');
  });

  it('an approved export request is downloadable by its requester and the DPO, not before approval', async () => {
    const r = await file(schoolAdmin, { subjectId: other.userId, type: 'export' });
    expect((await api().get(`/api/v1/privacy/requests/${r.requestId}/export`).set(schoolAdmin.auth).expect(422)).body.error.code).toBe('EXPORT_NOT_READY');
    await approve(r.requestId).expect(200);
    expect((await api().get(`/api/v1/privacy/requests/${r.requestId}/export`).set(schoolAdmin.auth).expect(200)).body.profile.displayName).toBe('Other Oat');
    await api().get(`/api/v1/privacy/requests/${r.requestId}/export?format=xapi`).set(dpo.auth).expect(200);
    await api().get(`/api/v1/privacy/requests/${r.requestId}/export`).set(teacher.auth).expect(404);
  });
});

describe('rectification', () => {
  it('is checked when filed', async () => {
    const bad = await file(learner, { type: 'rectification', changes: { email: 'not an email', password: 'x' } }, 400);
    expect(bad.error.details.map((d: { field: string }) => d.field)).toEqual(['changes.email', 'changes.password']);
  });

  it('once approved, the correction reaches the account and every report that shows the name', async () => {
    const r = await file(learner, { type: 'rectification', changes: { displayName: 'Lin Srisuk', email: 'lin.srisuk@example.com' }, note: 'I married' });
    expect((await approve(r.requestId).expect(200)).body).toMatchObject({ status: 'completed', outcome: 'rectified' });
    await settled();
    const account = await api().get(`/api/v1/users/${learner.userId}`).set(learner.auth).expect(200);
    expect(account.body).toMatchObject({ displayName: 'Lin Srisuk', email: 'lin.srisuk@example.com' });
    const log = await api().get(`/api/v1/courses/${course}/logs?user=${learner.userId}`).set(teacher.auth).expect(200);
    const rows: CourseLogRow[] = log.body.rows;
    const names = new Set(rows.flatMap((row) => [row.actor, row.relatedUser]).filter((p) => p?.userId === learner.userId).map((p) => p!.displayName));
    expect([...names]).toEqual(['Lin Srisuk']);
    const members = await api().get(`/api/v1/schools/${school}/members`).set(schoolAdmin.auth).expect(200);
    expect(members.body.members.find((m: { userId: string }) => m.userId === learner.userId)).toMatchObject({ displayName: 'Lin Srisuk' });
  });
});

describe('restriction and objection', () => {
  const logUsers = async () => {
    const log = await api().get(`/api/v1/courses/${course}/logs?limit=500`).set(teacher.auth).expect(200);
    return new Set((log.body.rows as CourseLogRow[]).flatMap((r) => [r.actor?.userId, r.relatedUser?.userId]));
  };
  const classReportLearners = async () => {
    const report = await api().get(`/api/v1/reports/courses/${course}`).set(teacher.auth).expect(200);
    return report.body.participants.map((p: { learnerId: string }) => p.learnerId);
  };
  const activeToday = async () => {
    const day = new Date().toISOString().slice(0, 10);
    const res = await api().get(`/api/v1/reports/usage?from=${day}&to=${day}&by=role`).set(admin.auth).expect(200);
    return res.body.periods[0].activeUsers.total.people as number;
  };

  it('an approved restriction takes the learner out of the course log and the usage statistics, keeps the data, and the DPO lifts it', async () => {
    expect((await logUsers()).has(other.userId)).toBe(true);
    const before = await activeToday();
    // The other learner acts today, so that they count in the statistics.
    await api().get(`/api/v1/courses/${course}`).set(other.auth).expect(200);
    await settled();
    const withThem = await activeToday();
    const r = await file(other, { type: 'restriction' });
    expect((await approve(r.requestId).expect(200)).body.outcome).toBe('restricted');
    await settled();
    expect((await logUsers()).has(other.userId)).toBe(false);
    expect(await activeToday()).toBe(withThem - 1);
    expect(await classReportLearners()).not.toContain(other.userId);
    expect((await api().get(`/api/v1/privacy/subjects/${other.userId}`).set(other.auth).expect(200)).body).toMatchObject({ restricted: true, restrictionReasons: ['request'], analyticsExcluded: true });
    expect((await db.query('SELECT count(*)::int AS n FROM course_log WHERE actor_id = $1', [other.userId])).rows[0].n).toBeGreaterThan(0);

    await api().delete(`/api/v1/privacy/subjects/${other.userId}/restriction`).set(other.auth).expect(403);
    await api().delete(`/api/v1/privacy/subjects/${other.userId}/restriction`).set(dpo.auth).expect(200);
    await settled();
    expect((await logUsers()).has(other.userId)).toBe(true);
    expect(await activeToday()).toBeGreaterThanOrEqual(before);
    expect(await classReportLearners()).toContain(other.userId);
  });

  it('an approved objection switches profiling off (the progress reports read it); the learner withdraws it', async () => {
    const r = await file(learner, { type: 'objection' });
    expect((await approve(r.requestId).expect(200)).body.outcome).toBe('objected');
    await settled();
    expect((await db.query('SELECT profiling_objected FROM progress_learners WHERE user_id = $1', [learner.userId])).rows).toEqual([{ profiling_objected: true }]);
    expect((await api().get(`/api/v1/privacy/subjects/${learner.userId}`).set(learner.auth).expect(200)).body).toMatchObject({ profilingObjected: true, consents: { profiling: { holds: false } } });
    await api().delete(`/api/v1/privacy/subjects/${learner.userId}/objection`).set(teacher.auth).expect(403);
    await api().delete(`/api/v1/privacy/subjects/${learner.userId}/objection`).set(learner.auth).expect(200);
    await settled();
    expect((await db.query('SELECT profiling_objected FROM progress_learners WHERE user_id = $1', [learner.userId])).rows).toEqual([{ profiling_objected: false }]);
  });
});

describe('consent per purpose', () => {
  it('withdrawing analytics takes the learner out of the usage statistics at once; giving it back brings them in', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const people = async () => (await api().get(`/api/v1/reports/usage?from=${day}&to=${day}`).set(admin.auth).expect(200)).body.periods[0].activeUsers.total.people as number;
    const before = await people();
    const res = await api().delete(`/api/v1/privacy/subjects/${learner.userId}/consents/analytics`).set(learner.auth).expect(200);
    expect(res.body).toMatchObject({ analyticsExcluded: true, consents: { analytics: { holds: false, by: learner.userId, onBehalf: false } } });
    expect(await people()).toBe(before - 1);
    await api().put(`/api/v1/privacy/subjects/${learner.userId}/consents/analytics`).set(learner.auth).expect(200);
    expect(await people()).toBe(before);
  });

  it('withdrawing profiling is an objection', async () => {
    await api().delete(`/api/v1/privacy/subjects/${other.userId}/consents/profiling`).set(other.auth).expect(200);
    await settled();
    expect((await db.query('SELECT profiling_objected FROM progress_learners WHERE user_id = $1', [other.userId])).rows).toEqual([{ profiling_objected: true }]);
    await api().put(`/api/v1/privacy/subjects/${other.userId}/consents/profiling`).set(other.auth).expect(200);
  });

  it('a minor’s consent is given by their parent; the minor may withdraw; nobody else decides', async () => {
    expect((await api().put(`/api/v1/privacy/subjects/${minor.userId}/consents/marketing`).set(minor.auth).expect(403)).body.error.code).toBe('PARENTAL_CONSENT_REQUIRED');
    const given = await api().put(`/api/v1/privacy/subjects/${minor.userId}/consents/marketing`).set(parent.auth).expect(200);
    expect(given.body.consents.marketing).toMatchObject({ holds: true, by: parent.userId, onBehalf: true });
    for (const who of [teacher, schoolAdmin, dpo]) await api().put(`/api/v1/privacy/subjects/${minor.userId}/consents/marketing`).set(who.auth).expect(403);
    await api().put(`/api/v1/privacy/subjects/${minor.userId}/consents/selling`).set(parent.auth).expect(400);
    expect((await api().delete(`/api/v1/privacy/subjects/${minor.userId}/consents/marketing`).set(minor.auth).expect(200)).body.consents.marketing.holds).toBe(false);
    // An adult child decides alone: the parent link does not stand for them.
    await api().put(`/api/v1/privacy/subjects/${learner.userId}/consents/marketing`).set(parent.auth).expect(403);
  });
});

describe('the access audit', () => {
  it('a teacher reading a learner’s account, grades, attempts, submissions and course log is in the learner’s access log', async () => {
    await api().get(`/api/v1/users/${other.userId}`).set(teacher.auth).expect(200);
    await api().get(`/api/v1/courses/${course}/grades`).set(teacher.auth).expect((r) => expect([200, 404]).toContain(r.status));
    await api().get(`/api/v1/quizzes/${quizId}/attempts`).set(teacher.auth).expect(200);
    await api().get(`/api/v1/assignments/${essayId}/submissions`).set(teacher.auth).expect(200);
    await api().get(`/api/v1/courses/${course}/logs?user=${learner.userId}`).set(teacher.auth).expect(200);
    await api().get(`/api/v1/schools/${school}/members`).set(teacher.auth).expect(200);
    await settled();
    const log = await api().get('/api/v1/privacy/access-log').set(learner.auth).expect(200);
    const byTeacher = log.body.accesses.filter((a: { readerId: string }) => a.readerId === teacher.userId);
    expect(new Set(byTeacher.map((a: { what: string }) => a.what))).toEqual(new Set(['attempts', 'submissions', 'course_log', 'directory']));
    expect(byTeacher[0]).toMatchObject({ readerName: 'Teacher Tee', purpose: 'teaching' });
    const otherLog = await api().get(`/api/v1/privacy/access-log?subjectId=${other.userId}`).set(other.auth).expect(200);
    expect(otherLog.body.accesses.some((a: { readerId: string; what: string }) => a.readerId === teacher.userId && a.what === 'profile')).toBe(true);
    // Reading oneself is not an access; others may not read someone's access log.
    expect(log.body.accesses.some((a: { readerId: string }) => a.readerId === learner.userId)).toBe(false);
    await api().get(`/api/v1/privacy/access-log?subjectId=${learner.userId}`).set(teacher.auth).expect(403);
    await api().get(`/api/v1/privacy/access-log?subjectId=${learner.userId}`).set(dpo.auth).expect(200);
  });

  it('a reader of more people within an hour than the threshold is flagged for breach review (DPO only)', async () => {
    await api().get('/api/v1/privacy/breach-review').set(teacher.auth).expect(403);
    const quiet = await api().get('/api/v1/privacy/breach-review').set(dpo.auth).expect(200);
    expect(quiet.body).toMatchObject({ threshold: 50, flagged: [] });
    const flagged = await api().get('/api/v1/privacy/breach-review?threshold=2').set(dpo.auth).expect(200);
    expect(flagged.body.flagged.find((f: { readerId: string }) => f.readerId === teacher.userId)).toMatchObject({ readerName: 'Teacher Tee', people: expect.any(Number) });
    expect(flagged.body.flagged.find((f: { readerId: string }) => f.readerId === teacher.userId).people).toBeGreaterThan(2);
  });
});

describe('legal hold', () => {
  let held: Session;

  it('defers an approved erasure: the data stays, restricted; lifting the hold shreds it', async () => {
    held = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Held Hana' });
    await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(teacher.auth).send({ reason: 'x' }).expect(403);
    const hold = await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).send({ reason: 'litigation hold: case 2025/117' }).expect(200);
    expect(hold.body).toMatchObject({ restricted: true, restrictionReasons: ['legal_hold'], legalHold: { reason: 'litigation hold: case 2025/117', until: null } });
    await api().put(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).send({ reason: 'again' }).expect(409);

    const r = await file(held, { type: 'erasure' });
    expect((await approve(r.requestId).expect(200)).body).toMatchObject({ status: 'deferred', outcome: null });
    // The deferred request says why: the hold, its reason and end date.
    expect((await api().get(`/api/v1/privacy/requests/${r.requestId}`).set(held.auth).expect(200)).body.hold).toEqual({ holdId: hold.body.legalHold.holdId, reason: 'litigation hold: case 2025/117', until: null });
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [held.userId])).rows[0].n).toBeGreaterThan(0);
    expect((await api().get(`/api/v1/users/${held.userId}`).set(held.auth).expect(200)).body.displayName).toBe('Held Hana');

    await api().delete(`/api/v1/privacy/subjects/${held.userId}/legal-hold`).set(dpo.auth).expect(200);
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [held.userId])).rows[0].n).toBe(0);
    await settled();
    expect((await api().get(`/api/v1/privacy/requests/${r.requestId}`).set(dpo.auth).expect(200)).body).toMatchObject({ status: 'completed', outcome: 'erased' });
    const receipts = await api().get(`/api/v1/privacy/requests/${r.requestId}/receipts`).set(dpo.auth).expect(200);
    expect(receipts.body).toMatchObject({ complete: true, userId: held.userId });
    expect(receipts.body.receipts.map((x: { projection: string }) => x.projection)).toEqual(expect.arrayContaining(['accounts', 'course-log', 'grades', 'subject-flags']));
    await api().get(`/api/v1/privacy/requests/${r.requestId}/receipts`).set(teacher.auth).expect(403);
    // Their session ended, and the username no longer signs in.
    await api().get('/api/v1/me').set(held.auth).expect(401);
    await request(t.app.getHttpServer()).post('/api/v1/auth/login').send({ username: held.username, password: PASSWORD }).expect(401);
  });
});

describe('retention', () => {
  it('the registry says, per data category and event type, how long, why and how it goes', async () => {
    const res = await api().get('/api/v1/privacy/retention').set(learner.auth).expect(200);
    expect(res.body).toMatchObject({ legalHoldPeriod: 'P5Y', requestMetadataRetention: 'P12M', requestDeadline: 'P30D' });
    const metadata = res.body.entries.find((e: { category: string }) => e.category === 'request_metadata');
    expect(metadata).toMatchObject({ retention: 'P12M', legalBasis: 'legitimate_interests', personalFields: ['envelope.ip', 'envelope.userAgent'] });
    expect(res.body.entries.find((e: { category: string }) => e.category === 'learning_records').eventTypes).toContain('AnswersSaved');
  });

  it('a cancelled account is restricted and locked at once, and shredded by the sweep when its hold period ends (dry run first)', async () => {
    const leaver = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Leaving Lek' });
    await api().post(`/api/v1/privacy/subjects/${leaver.userId}/cancellation`).set(teacher.auth).expect(403);
    const cancelled = await api().post(`/api/v1/privacy/subjects/${leaver.userId}/cancellation`).set(leaver.auth).expect(200);
    expect(cancelled.body).toMatchObject({ restricted: true, restrictionReasons: ['cancelled'] });
    const years = (Date.parse(cancelled.body.shredAfter) - Date.parse(cancelled.body.cancelledAt)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(5);
    await api().get('/api/v1/me').set(leaver.auth).expect(401);
    const login = await request(t.app.getHttpServer()).post('/api/v1/auth/login').send({ username: leaver.username, password: PASSWORD }).expect(403);
    expect(login.body.error.code).toBe('ACCOUNT_LOCKED');
    await settled();
    expect((await db.query('SELECT status FROM accounts WHERE user_id = $1', [leaver.userId])).rows).toEqual([{ status: 'cancelled' }]);

    // An IP from two years ago (a request key of that month).
    const past = new Date(Date.now() - 2 * 365 * 86_400_000);
    await t.app.get(EventLog).append(`activity-${other.userId}`, [
      {
        type: 'CourseViewed',
        data: { courseId: course, userId: other.userId },
        envelope: {
          actorId: other.userId, realActorId: null, courseId: course, schoolId: school, action: 'viewed', crud: 'r', object: { type: 'course', id: course },
          relatedUserId: null, ip: '198.51.100.23', userAgent: 'Old/1.0', origin: 'web', correlationId: randomUUID(), causationId: null, occurredAt: past.toISOString(),
        },
      },
    ]);
    const oldMonth = past.toISOString().slice(0, 7);

    // Today: nothing to shred but the old month's request keys.
    const preview = await api().get('/api/v1/privacy/retention/preview').set(dpo.auth).expect(200);
    expect(preview.body).toMatchObject({ dryRun: true, erasures: [] });
    expect(preview.body.requestMetadata.months).toEqual(expect.arrayContaining([{ period: oldMonth, keys: 1 }]));
    await api().get('/api/v1/privacy/retention/preview').set(admin.auth).expect(403);

    // Six years on: the dry run lists the cancelled account, and changes nothing.
    const sweep = t.app.get(RetentionSweep);
    const later = new Date(Date.now() + 6 * 365 * 86_400_000);
    const dry = await sweep.run({ dryRun: true, now: later });
    expect(dry.erasures).toEqual([expect.objectContaining({ userId: leaver.userId, why: 'cancellation_hold_ended' })]);
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [leaver.userId])).rows[0].n).toBeGreaterThan(0);

    // The CLI's dry run says the same.
    const saved = { ...process.env };
    const out: string[] = [];
    Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL: t.db.url, MASTER_KEY: t.config.masterKey.toString('base64'), OPS_TOKEN: t.opsToken, ERASURE_LEDGER_PATH: t.config.erasureLedgerPath });
    try {
      expect(await runCli(['privacy', 'sweep', '--dry-run'], (s) => out.push(s))).toBe(0);
    } finally {
      process.env = saved;
    }
    expect(out.join('\n')).toContain('dry run: nothing changed');
    expect(out.join('\n')).toMatch(new RegExp(`${oldMonth}\\s+1`));
    expect((await keysDb.query(`SELECT count(*)::int AS n FROM subject_keys WHERE scope = $1`, [`request:${oldMonth}`])).rows[0].n).toBe(1);

    // Today's real run shreds the old IPs only.
    const now = await sweep.run();
    expect(now.requestMetadata.keys).toBeGreaterThanOrEqual(1);
    expect((await keysDb.query(`SELECT count(*)::int AS n FROM subject_keys WHERE scope = $1`, [`request:${oldMonth}`])).rows[0].n).toBe(0);

    // The run six years on shreds the account.
    const run = await sweep.run({ now: later });
    expect(run.errors).toEqual([]);
    expect(run.erasures).toEqual([expect.objectContaining({ userId: leaver.userId, requestId: expect.any(String) })]);
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [leaver.userId])).rows[0].n).toBe(0);
    await settled();
    expect((await db.query('SELECT count(*)::int AS n FROM accounts WHERE user_id = $1', [leaver.userId])).rows[0].n).toBe(0);
    const request_ = await api().get(`/api/v1/privacy/requests/${run.erasures[0].requestId}`).set(dpo.auth).expect(200);
    expect(request_.body).toMatchObject({ filedAs: 'system', filedBy: null, status: 'completed', outcome: 'erased' });
  }, 60_000);
});
