/**
 * External ids (Moodle's idnumber) on courses: set on create and update,
 * unique in a school (409 IDNUMBER_TAKEN, nothing appended), free in another
 * school, shown in the course, and a lookup by it in the catalogue. On
 * accounts: unique among a school's accounts, sealed in the log, and a bulk
 * upload is idempotent by it (a row whose idNumber the school has is `exists`).
 * On activities (quiz, assignment, offline test): one per school, whatever the
 * kind or the course, shown in the course's sections.
 */
import pg from 'pg';
import request from 'supertest';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
let north: Session;
let south: Session;
let northId: string;
let southId: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await signInAdmin(t);
  [northId, southId] = [await createSchool(t, admin, 'North School'), await createSchool(t, admin, 'South School')];
  north = await openAccount(t, admin, { schoolId: northId, role: 'school_admin' });
  south = await openAccount(t, admin, { schoolId: southId, role: 'school_admin' });
}, 120_000);

afterAll(async () => {
  await t.close();
});

const course = (schoolId: string, code: string, idNumber?: string | null) => ({ schoolId, title: `Course ${code}`, code, subject: 'Maths', selfEnrolment: { enabled: false }, ...(idNumber !== undefined && { idNumber }) });

describe('course idNumber', () => {
  it('is unique in a school, free in another, changed by update, and found by lookup', async () => {
    const first = (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-1', ' MATH101-2024 ')).expect(201)).body.courseId;
    expect((await http().get(`/api/v1/courses/${first}`).set(north.auth).expect(200)).body.idNumber).toBe('MATH101-2024');

    // Taken in the school: 409, and nothing is appended.
    const before = await countEvents(t);
    const taken = await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-2', 'MATH101-2024')).expect(409);
    expect(taken.body.error.code).toBe('IDNUMBER_TAKEN');
    expect(await countEvents(t)).toBe(before);

    // Another school may use it; courses without one do not collide.
    const other = (await http().post('/api/v1/courses').set(south.auth).send(course(southId, 'M-1', 'MATH101-2024')).expect(201)).body.courseId;
    const second = (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-2')).expect(201)).body.courseId;
    await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'M-3', null)).expect(201);

    // Update: to a taken id is 409; to a free one changes it and frees the old one.
    const clash = await http().patch(`/api/v1/courses/${second}`).set(north.auth).send({ idNumber: 'MATH101-2024' }).expect(409);
    expect(clash.body.error.code).toBe('IDNUMBER_TAKEN');
    await http().patch(`/api/v1/courses/${first}`).set(north.auth).send({ idNumber: 'MATH101-2025' }).expect(204);
    await http().patch(`/api/v1/courses/${second}`).set(north.auth).send({ idNumber: 'MATH101-2024' }).expect(204);

    // Lookup: each school's caller finds their own school's course by the id.
    const found = await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2024' }).set(north.auth).expect(200);
    expect(found.body.courses.map((c: { courseId: string; idNumber: string }) => [c.courseId, c.idNumber])).toEqual([[second, 'MATH101-2024']]);
    const theirs = await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2024' }).set(south.auth).expect(200);
    expect(theirs.body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([other]);
    expect((await http().get('/api/v1/courses').query({ idNumber: 'MATH101-2025' }).set(north.auth).expect(200)).body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([first]);
    expect((await http().get('/api/v1/courses').query({ idNumber: 'nothing' }).set(north.auth).expect(200)).body).toMatchObject({ courses: [], total: 0 });
    const tooLong = await http().get('/api/v1/courses').query({ idNumber: 'x'.repeat(101) }).set(north.auth).expect(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('account idNumber', () => {
  const learner = (username: string, idNumber?: string) => ({ username, displayName: `Learner ${username}`, role: 'learner', consentObtainedFrom: 'parent', ...(idNumber !== undefined && { idNumber }) });

  it('is unique among the school\'s accounts, sealed in the log, and makes a bulk upload idempotent', async () => {
    const one = await http().post('/api/v1/users').set(north.auth).send({ ...learner('ext.ann', 'S-0001'), schoolId: northId, password: 'a-long-password-1' }).expect(201);
    const before = await countEvents(t);
    const taken = await http().post('/api/v1/users').set(north.auth).send({ ...learner('ext.ann2', 'S-0001'), schoolId: northId, password: 'a-long-password-1' }).expect(409);
    expect(taken.body.error.code).toBe('IDNUMBER_TAKEN');
    expect(await countEvents(t)).toBe(before);
    // The username claimed by the refused request is free again.
    await http().post('/api/v1/users').set(north.auth).send({ ...learner('ext.ann2', 'S-0002'), schoolId: northId, password: 'a-long-password-1' }).expect(201);
    // Another school may use the same external id.
    await http().post('/api/v1/users').set(south.auth).send({ ...learner('ext.sam', 'S-0001'), schoolId: southId, password: 'a-long-password-1' }).expect(201);
    const db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    const { rows: raw } = await db.query(`SELECT data FROM events WHERE event_type = 'AccountCreated' AND stream_id = $1`, [`user-${one.body.userId}`]).finally(() => db.end());
    expect(raw).toHaveLength(1);
    expect(JSON.stringify(raw)).not.toContain('S-0001');

    // Bulk: a row whose idNumber the school has is that account, whatever its username; a new one is created; twice in the upload is refused.
    const rows = [learner('ext.renamed', 'S-0001'), learner('ext.cara', 'S-0003')];
    const dup = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows: [...rows, learner('ext.dan', 'S-0003')] }).expect(400);
    expect(dup.body.error.details.map((d: { row: number; code: string }) => [d.row, d.code])).toEqual([[2, 'DUPLICATE_ROW']]);
    const bulk = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows }).expect(200);
    expect(bulk.body).toMatchObject({ created: 1, existing: 1, refused: 0 });
    expect(bulk.body.results[0]).toMatchObject({ status: 'exists', userId: one.body.userId });
    const again = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows }).expect(200);
    expect(again.body).toMatchObject({ created: 0, existing: 2 });
    expect(again.body.results[1].userId).toBe(bulk.body.results[1].userId);
    // Lookup: the school's member with the external id.
    const member = await http().get(`/api/v1/schools/${northId}/members`).query({ idNumber: 'S-0001' }).set(north.auth).expect(200);
    expect(member.body.members.map((m: { userId: string }) => m.userId)).toEqual([one.body.userId]);
    expect((await http().get(`/api/v1/schools/${southId}/members`).query({ idNumber: 'S-0001' }).set(south.auth).expect(200)).body.members.map((m: { username: string }) => m.username)).toEqual(['ext.sam']);
    expect((await http().get(`/api/v1/schools/${northId}/members`).query({ idNumber: 'S-9999' }).set(north.auth).expect(200)).body).toMatchObject({ members: [], total: 0 });
    // An idNumber of one account with the username of another is refused.
    const clash = await http().post('/api/v1/users/bulk').set(north.auth).send({ schoolId: northId, rows: [learner('ext.ann2', 'S-0003')], mode: 'per_row' }).expect(200);
    expect(clash.body.results[0]).toMatchObject({ status: 'refused', code: 'IDNUMBER_TAKEN' });
  });
});

describe('activity idNumber', () => {
  it('is unique in the school across kinds and courses, and shown with the course\'s activities', async () => {
    const [a, b] = [
      (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'ACT-A')).expect(201)).body.courseId,
      (await http().post('/api/v1/courses').set(north.auth).send(course(northId, 'ACT-B')).expect(201)).body.courseId,
    ];
    for (const c of [a, b]) await http().post(`/api/v1/courses/${c}/sections`).set(north.auth).send({ title: 'Week 1' }).expect(201);
    const quiz = (await http().post(`/api/v1/courses/${a}/quizzes`).set(north.auth).send({ title: 'Quiz 1', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, idNumber: 'ACT-1' }).expect(201)).body.quizId;
    const before = await countEvents(t);
    for (const [path, body] of [
      [`/api/v1/courses/${b}/assignments`, { title: 'Essay', submissionTypes: ['text'], maxGrade: 100, idNumber: 'ACT-1' }],
      [`/api/v1/courses/${a}/offline-tests`, { title: 'Oral', maxGrade: 20, takenOn: '2024-03-01', idNumber: 'ACT-1' }],
    ] as const) {
      const taken = await http().post(path).set(north.auth).send(body).expect(409);
      expect(taken.body.error.code).toBe('IDNUMBER_TAKEN');
    }
    expect(await countEvents(t)).toBe(before);
    const test = (await http().post(`/api/v1/courses/${b}/offline-tests`).set(north.auth).send({ title: 'Oral', maxGrade: 20, takenOn: '2024-03-01', idNumber: 'ACT-2' }).expect(201)).body.offlineTestId;
    // Another school's course may use it.
    const theirs = (await http().post('/api/v1/courses').set(south.auth).send(course(southId, 'ACT-S')).expect(201)).body.courseId;
    await http().post(`/api/v1/courses/${theirs}/sections`).set(south.auth).send({ title: 'Week 1' }).expect(201);
    await http().post(`/api/v1/courses/${theirs}/offline-tests`).set(south.auth).send({ title: 'Oral', maxGrade: 20, takenOn: '2024-03-01', idNumber: 'ACT-1' }).expect(201);
    const activitiesOf = async (c: string) => (await http().get(`/api/v1/courses/${c}`).set(north.auth).expect(200)).body.sections.flatMap((s: { activities: unknown[] }) => s.activities);
    expect(await activitiesOf(a)).toEqual([{ activityId: quiz, kind: 'quiz', idNumber: 'ACT-1' }]);
    expect(await activitiesOf(b)).toEqual([{ activityId: test, kind: 'offline', idNumber: 'ACT-2' }]);
  });
});
