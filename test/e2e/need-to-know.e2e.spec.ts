/**
 * Need to know inside one school, attacked by people whose rights have ended
 * (the cross-school matrix is tenant-boundary.e2e.spec.ts): a teacher who left
 * the school, a learner who moved to another school. What they held before must
 * stop with the membership, however the course's own records (its staff list,
 * the enrolment) still name them.
 */
import pg from 'pg';
import request from 'supertest';
import { appendsNothing, createSchool, openAccount, signInAdmin, uniqueUsername, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { ImportJobs } from '../../libs/interop/src';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const api = () => request(t.app.getHttpServer());
let admin: Session;
let schoolA: string;
let schoolAdmin: Session;
let teacher: Session;
let learner: Session;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'Need-to-know School');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  learner = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner' });
}, 120_000);
afterAll(() => t?.close());

describe('a teacher who left the school', () => {
  it('no longer edits, enrols, unenrols or reads the course they were assigned to, although its staff list still names them', async () => {
    const leaver = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
    const courseId = await createCourse(t, teacher, { schoolId: schoolA, code: 'LEAVE-1' });
    await api().put(`/api/v1/courses/${courseId}/teachers/${leaver.userId}`).set(teacher.auth).send({ role: 'teacher' }).expect(204);
    await api().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
    // While a teacher of the school, they edit and read the course.
    await api().post(`/api/v1/courses/${courseId}/sections`).set(leaver.auth).send({ title: 'Week 2' }).expect(201);
    await api().get(`/api/v1/courses/${courseId}/enrolments`).set(leaver.auth).expect(200);

    await api().delete(`/api/v1/schools/${schoolA}/members/${leaver.userId}`).set(schoolAdmin.auth).expect(200);

    await appendsNothing(t, async () => {
      const writes: [string, request.Test][] = [
        ['edit the course', api().patch(`/api/v1/courses/${courseId}`).set(leaver.auth).send({ title: 'Taken over' })],
        ['add a section', api().post(`/api/v1/courses/${courseId}/sections`).set(leaver.auth).send({ title: 'Week 3' })],
        ['unenrol a learner', api().delete(`/api/v1/courses/${courseId}/enrolments/${learner.userId}`).set(leaver.auth).send({ reason: 'gone' })],
        ['change the staff', api().put(`/api/v1/courses/${courseId}/teachers/${leaver.userId}`).set(leaver.auth).send({ role: 'non_editing_teacher' })],
      ];
      for (const [what, call] of writes) {
        const res = await call;
        expect({ what, status: res.status, code: res.body.error?.code }).toEqual({ what, status: 403, code: 'FORBIDDEN' });
      }
    });
    for (const path of [`/api/v1/courses/${courseId}/enrolments`, `/api/v1/courses/${courseId}/logs`, `/api/v1/reports/courses/${courseId}`]) {
      const res = await api().get(path).set(leaver.auth);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    // The course's history keeps them on its staff list; the remaining teacher still teaches it.
    const course = await api().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(course.body.staff).toContainEqual({ userId: leaver.userId, role: 'teacher' });
    await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 3' }).expect(201);
  });
});

describe('a learner who moved to another school', () => {
  it('no longer takes part in the old school’s course they are still enrolled in: no activity, attempts or submissions, and no reading it', async () => {
    const schoolB = await createSchool(t, admin, 'Next School');
    const adminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
    const mover = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', dateOfBirth: '2000-01-01' });
    const courseId = await createCourse(t, teacher, { schoolId: schoolA, code: 'MOVE-1' });
    for (const who of [mover, learner]) await api().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: who.userId }).expect(201);
    const quiz = await api().post(`/api/v1/courses/${courseId}/quizzes`).set(teacher.auth).send({ title: 'Quiz', attemptsAllowed: 0, gradingMethod: 'highest', maxGrade: 10 }).expect(201);
    await api().post(`/api/v1/quizzes/${quiz.body.quizId}/questions`).set(teacher.auth).send({ question: { kind: 'true_false', text: 'Water is wet.', points: 1, skills: ['science'], correct: true } }).expect(201);
    const essay = await api().post(`/api/v1/courses/${courseId}/assignments`).set(teacher.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100 }).expect(201);
    await api().get(`/api/v1/courses/${courseId}`).set(mover.auth).expect(200);

    const asked = await api().post(`/api/v1/schools/${schoolB}/transfers`).set(adminB.auth).send({ userId: mover.userId, role: 'learner' }).expect(201);
    await api().post(`/api/v1/transfers/${asked.body.transferId}/accept`).set(mover.auth).expect(200);

    await appendsNothing(t, async () => {
      const tries: [string, request.Test][] = [
        ['record activity', api().post('/api/v1/activity').set(mover.auth).send({ id: '0b7a3c1e-2f4d-4e5a-8b6c-7d8e9f0a1b2c', type: 'CourseViewed', courseId })],
        ['start an attempt', api().post(`/api/v1/quizzes/${quiz.body.quizId}/attempts`).set(mover.auth)],
        ['hand in work', api().post(`/api/v1/assignments/${essay.body.assignmentId}/submissions`).set(mover.auth).send({ text: 'From my new school' })],
        ['read the course', api().get(`/api/v1/courses/${courseId}`).set(mover.auth)],
        ['read the quiz', api().get(`/api/v1/quizzes/${quiz.body.quizId}`).set(mover.auth)],
      ];
      for (const [what, call] of tries) expect({ what, status: (await call).status }).toEqual({ what, status: 403 });
    });
    // A learner still of the school takes part as before.
    await api().post(`/api/v1/quizzes/${quiz.body.quizId}/attempts`).set(learner.auth).expect(201);
    await api().post('/api/v1/activity').set(learner.auth).send({ id: '1c8b4d2f-3a5e-4f6b-9c7d-8e9f0a1b2c3d', type: 'CourseViewed', courseId }).expect(201);
  });
});

describe('a teacher and the school’s accounts', () => {
  it('cannot give a colleague or the school admin a learner membership (a teacher acts on nobody’s account), nor themself; the school admin can', async () => {
    const colleague = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
    await appendsNothing(t, async () => {
      for (const userId of [colleague.userId, schoolAdmin.userId, teacher.userId]) {
        const res = await api().post(`/api/v1/schools/${schoolA}/members`).set(teacher.auth).send({ userId, role: 'learner' });
        expect({ userId, status: res.status, code: res.body.error?.code }).toEqual({ userId, status: 403, code: 'FORBIDDEN' });
      }
    });
    await api().post(`/api/v1/schools/${schoolA}/members`).set(schoolAdmin.auth).send({ userId: colleague.userId, role: 'learner' }).expect(201);
    // Opening a new learner account stays a teacher's.
    await openAccount(t, teacher, { schoolId: schoolA, role: 'learner' });
  });
});

describe('the directory’s external-id filter', () => {
  it('is for the school’s admins: a teacher, who is never shown an account’s idNumber, cannot find who holds one', async () => {
    const holder = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', idNumber: 'NTK-4242' });
    const found = await api().get(`/api/v1/schools/${schoolA}/members`).query({ idNumber: 'NTK-4242' }).set(schoolAdmin.auth).expect(200);
    expect(found.body.members.map((m: { userId: string }) => m.userId)).toEqual([holder.userId]);
    for (const idNumber of ['NTK-4242', 'NTK-0000']) {
      const res = await api().get(`/api/v1/schools/${schoolA}/members`).query({ idNumber }).set(teacher.auth);
      expect({ idNumber, status: res.status, code: res.body.error?.code, members: res.body.members }).toEqual({ idNumber, status: 403, code: 'FORBIDDEN', members: undefined });
    }
    // Nor by uploading accounts with it: the upload would answer the holder as `exists`.
    const row = { username: uniqueUsername('ntk'), displayName: 'Not New', role: 'learner', consentObtainedFrom: 'parent', idNumber: 'NTK-4242' };
    const upload = await appendsNothing(t, () => api().post('/api/v1/users/bulk').set(teacher.auth).send({ schoolId: schoolA, rows: [row], mode: 'per_row' }));
    expect({ status: upload.status, code: upload.body.error?.code, leaks: JSON.stringify(upload.body).includes(holder.userId) }).toEqual({ status: 403, code: 'FORBIDDEN', leaks: false });
    const byAdmin = await api().post('/api/v1/users/bulk').set(schoolAdmin.auth).send({ schoolId: schoolA, rows: [row], mode: 'per_row' }).expect(200);
    expect(byAdmin.body.results).toEqual([expect.objectContaining({ status: 'exists', userId: holder.userId })]);
    // The directory itself stays the teacher's, without external ids.
    const directory = await api().get(`/api/v1/schools/${schoolA}/members`).set(teacher.auth).expect(200);
    expect(directory.body.members.map((m: { userId: string }) => m.userId)).toContain(holder.userId);
    expect(JSON.stringify(directory.body)).not.toContain('NTK-4242');
  });
});

describe('a Moodle log import into one school', () => {
  const HEADER = 'id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid';
  /** A logstore_standard_log dump: Moodle user 7001 views Moodle course 801 and logs in, at `at` (epoch seconds). */
  const log = (at: number, teacher = false) =>
    [
      HEADER,
      `${at},\\core\\event\\course_viewed,core,viewed,course,,,r,2,1,50,801,7001,801,,0,N;,${at},web,10.0.0.1,`,
      `${at + 1},\\core\\event\\user_loggedin,core,loggedin,user,user,7001,r,0,1,10,0,7001,0,,0,N;,${at + 1},web,10.0.0.1,`,
      // Moodle user 7002 (new to the site) updates course 801: teaching evidence (edulevel 1), a staff assignment with placeholders.
      ...(teacher ? [`${at + 2},\\core\\event\\course_updated,core,updated,course,course,801,u,1,1,50,801,7002,801,,0,N;,${at + 2},web,10.0.0.1,`] : []),
    ].join('\n') + '\n';
  async function sql<R>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as R[];
    } finally {
      await client.end();
    }
  }
  async function importAs(who: Session, schoolId: string, body: string, createMissing: boolean) {
    const started = await api().post(`/api/v1/imports/moodle-logs?schoolId=${schoolId}&createMissing=${createMissing}`).set(who.auth).set('Content-Type', 'text/csv').send(body).expect(202);
    await t.app.get(ImportJobs).settled(started.body.jobId);
    return (await api().get(`/api/v1/imports/${started.body.jobId}`).set(who.auth).expect(200)).body;
  }

  it('never resolves Moodle ids to another school’s course or person through the site’s id map', async () => {
    const schoolB = await createSchool(t, admin, 'Other Importer');
    const adminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
    // School B imports its Moodle log first (the default site): Moodle user 7001 and course 801 become B's placeholders.
    expect(await importAs(adminB, schoolB, log(1714550400), true)).toMatchObject({ status: 'done', imported: 2, rejected: 0 });
    const placeholders = await sql<{ kind: string; learnstream_id: string }>(`SELECT kind, learnstream_id FROM interop_id_map WHERE site = 'moodle' AND external_id IN ('7001', '801')`);
    const bCourse = placeholders.find((r) => r.kind === 'course')!.learnstream_id;
    const bLearner = placeholders.find((r) => r.kind === 'user')!.learnstream_id;
    const touching = async () =>
      Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM events WHERE metadata->>'courseId' = $1 OR metadata->>'actorId' = $2`, [bCourse, bLearner]))[0].n);
    const before = await touching();

    // School A's admin imports a file naming the same Moodle ids, with and without placeholders: nothing lands on B's course or learner.
    for (const createMissing of [false, true]) {
      const job = await importAs(schoolAdmin, schoolA, log(1714560000 + (createMissing ? 100 : 0), true), createMissing);
      expect(job).toMatchObject({ status: 'done', imported: 0, rejected: 3 });
      expect(JSON.stringify(job)).not.toContain(bCourse);
      expect(JSON.stringify(job)).not.toContain(bLearner);
    }
    expect(await touching()).toBe(before);
  });
});
