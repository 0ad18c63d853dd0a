/**
 * What reads of one person's record show, and to whom (DESIGN.md, need to know):
 *   - exports never carry a secret (password hash, refresh-token hash,
 *     enrolment key or its hash): scanned for every secret the system holds
 *     about the subject, in clear, hex and base64, in JSON and xAPI;
 *   - need to know by field: a teacher gets names, not national id, phone or
 *     date of birth; a platform admin gets personal fields only with a stated
 *     purpose, which is logged; the school's admin and the DPO get the account;
 *   - a restricted person's record (profile, timeline, account, grades,
 *     submissions, attempts) is seen by them and the DPO only; staff are told
 *     PROCESSING_RESTRICTED and nothing else; every list (participants,
 *     grades, attempts, submissions, the directory and class lists, over REST
 *     and GraphQL) leaves them out and counts them in `restricted`.
 */
import pg from 'pg';
import request from 'supertest';
import { EventLog } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, PASSWORD, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const api = () => request(t.app.getHttpServer());

let admin: Session;
let school: string;
let schoolAdmin: Session;
let teacher: Session;
let learner: Session;
let minor: Session;
let parent: Session;
let dpo: Session;
let course: string;
let classId: string;
let quizId: string;
let essay: string;
let attemptId: string;
const ENROLMENT_KEY = 'river-delta-key-2026';
const LEARNER = { phone: '+66 82 123 4567', nationalId: '1209900345678', dateOfBirth: '2003-09-10', email: 'lamai.k@example.org' };

async function settled(): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

/** Every secret the system holds about `userId`: password hashes (decrypted from the log), refresh-token hashes, the enrolment key and its hash. */
async function secretsOf(userId: string): Promise<string[]> {
  const log = t.app.get(EventLog);
  const secrets: string[] = [ENROLMENT_KEY];
  for await (const e of log.readStream(`user-${userId}`)) {
    const hash = (e.data as { passwordHash?: string | null }).passwordHash;
    if (hash) secrets.push(hash);
  }
  const tokens = await db.query(`SELECT encode(token_hash, 'hex') AS hex, encode(token_hash, 'base64') AS b64 FROM refresh_tokens JOIN auth_sessions USING (session_id) WHERE user_id = $1`, [userId]);
  for (const r of tokens.rows) secrets.push(r.hex, r.b64, Buffer.from(r.hex, 'hex').toString('base64url'));
  for (const r of (await db.query(`SELECT data->'selfEnrolment'->>'keyHash' AS h FROM events WHERE stream_id = $1 AND data->'selfEnrolment'->>'keyHash' IS NOT NULL`, [`course-${course}`])).rows) secrets.push(r.h);
  // Each also in hex and base64, the forms a leak would take.
  return secrets.flatMap((s) => [s, Buffer.from(s).toString('hex'), Buffer.from(s).toString('base64')]).filter((s) => s.length >= 12);
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Need To Know School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', displayName: 'Teacher Somsak' });
  classId = (await api().post(`/api/v1/schools/${school}/classes`).set(schoolAdmin.auth).send({ name: 'M.5/2', gradeLevel: 'M5' }).expect(201)).body.classId;
  learner = await openAccount(t, schoolAdmin, {
    schoolId: school, role: 'learner', classId, displayName: 'Lamai Kaewmanee', email: LEARNER.email, dateOfBirth: LEARNER.dateOfBirth,
    ...({ phone: LEARNER.phone, nationalId: LEARNER.nationalId } as object),
  });
  minor = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Minor Mali', dateOfBirth: `${new Date().getUTCFullYear() - 12}-01-01` });
  parent = await registerUser(t);
  const link = await api().post('/api/v1/parent-links').set(parent.auth).send({ childId: minor.userId }).expect(201);
  await api().post(`/api/v1/parent-links/${link.body.linkId}/confirm`).set(schoolAdmin.auth).expect(200);
  dpo = await registerUser(t);
  await api().put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
  dpo = await signIn(t, dpo.username, PASSWORD);
  // Fresh sign-ins: refresh tokens exist for each.
  learner = await signIn(t, learner.username, PASSWORD);
  minor = await signIn(t, minor.username, PASSWORD);

  course = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Deltas', code: 'GEO-3', subject: 'Geography', selfEnrolment: { enabled: true, key: ENROLMENT_KEY } }).expect(201)).body.courseId;
  await api().post(`/api/v1/courses/${course}/sections`).set(teacher.auth).send({ title: 'Term 1' }).expect(201);
  await api().post(`/api/v1/courses/${course}/gradebook`).set(teacher.auth).send({}).expect(201);
  await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [learner.userId, minor.userId] }).expect(200);
  essay = (await api().post(`/api/v1/courses/${course}/assignments`).set(teacher.auth).send({ title: 'Delta essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201)).body.assignmentId;
  await api().post(`/api/v1/assignments/${essay}/submissions`).set(learner.auth).send({ text: 'Deltas grow' }).expect(201);
  const quiz = await api()
    .post(`/api/v1/courses/${course}/quizzes`)
    .set(teacher.auth)
    .send({ title: 'Deltas', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, questions: [{ kind: 'true_false', text: 'Deltas are flat.', points: 1, skills: ['landforms'], correct: true }] })
    .expect(201);
  quizId = quiz.body.quizId;
  attemptId = (await api().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).expect(201)).body.attemptId;
  await api().post(`/api/v1/quizzes/${quizId}/attempts`).set(minor.auth).expect(201);
  await api().post(`/api/v1/assignments/${essay}/submissions`).set(minor.auth).send({ text: 'Deltas move' }).expect(201);
  await settled();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('exports never carry a secret', () => {
  it('the learner’s own export (JSON and xAPI), a parent’s export of their child, the teacher’s export', async () => {
    const cases: [string, Session, string, string][] = [
      ['learner json', learner, '/api/v1/privacy/export', learner.userId],
      ['learner xapi', learner, '/api/v1/privacy/export?format=xapi', learner.userId],
      ['parent of a child', parent, `/api/v1/privacy/subjects/${minor.userId}/export`, minor.userId],
      ['teacher (the course with the enrolment key)', teacher, '/api/v1/privacy/export', teacher.userId],
    ];
    for (const [name, who, path, subject] of cases) {
      const secrets = await secretsOf(subject);
      expect(secrets.some((s) => s.startsWith('$argon2'))).toBe(true); // the scan looks for real hashes
      const res = await api().get(path).set(who.auth).expect(200);
      expect({ name, leaked: secrets.filter((s) => res.text.includes(s)) }).toEqual({ name, leaked: [] });
    }
    const own = (await api().get('/api/v1/privacy/export').set(learner.auth).expect(200)).body;
    const created = own.activityLog.find((e: { type: string }) => e.type === 'AccountCreated');
    expect(created.secrets).toEqual(['data.passwordHash']);
    expect(created.data.passwordHash).toBeNull();
    const settings = (await api().get('/api/v1/privacy/export').set(teacher.auth).expect(200)).body.activityLog.find((e: { type: string }) => e.type === 'CourseCreated');
    expect(settings.secrets).toEqual(['data.selfEnrolment.keyHash']);
  });
});

describe('need to know, by field', () => {
  const personal = ['email', 'phone', 'dateOfBirth', 'nationalId'];

  it('a teacher gets who the learner is (names and class), not how to reach or identify them', async () => {
    const res = await api().get(`/api/v1/users/${learner.userId}`).set(teacher.auth).expect(200);
    expect(res.body).toMatchObject({ userId: learner.userId, displayName: 'Lamai Kaewmanee', email: null, phone: null, dateOfBirth: null, nationalId: null });
    expect(res.body.classes).toEqual([{ schoolId: school, role: 'learner', classId, className: 'M.5/2' }]);
    expect(res.body.withheld).toEqual(expect.arrayContaining(personal));
    expect(res.body.withheld).not.toContain('classes');
  });

  it('the school’s admin, the DPO and the person get the account', async () => {
    for (const who of [schoolAdmin, dpo, learner]) {
      const res = await api().get(`/api/v1/users/${learner.userId}`).set(who.auth).expect(200);
      expect(res.body).toMatchObject({ phone: LEARNER.phone, nationalId: LEARNER.nationalId, dateOfBirth: LEARNER.dateOfBirth });
      expect(res.body.withheld).toBeUndefined();
    }
  });

  it('a platform admin: administrative fields only, personal ones with a stated purpose, which the access log keeps', async () => {
    const plain = await api().get(`/api/v1/users/${learner.userId}`).set(admin.auth).expect(200);
    expect(plain.body).toMatchObject({ phone: null, nationalId: null, dateOfBirth: null, email: null, username: learner.username });
    expect(plain.body.withheld).toEqual(expect.arrayContaining(personal));
    await api().get(`/api/v1/users/${learner.userId}?purpose=short`).set(admin.auth).expect(400);
    const purpose = 'ticket 4411: the school asked to correct a phone number';
    const stated = await api().get(`/api/v1/users/${learner.userId}?purpose=${encodeURIComponent(purpose)}`).set(admin.auth).expect(200);
    expect(stated.body).toMatchObject({ phone: LEARNER.phone, nationalId: LEARNER.nationalId });
    const reads = [];
    for await (const e of t.app.get(EventLog).readStream(`activity-${admin.userId}`)) if (e.type === 'PersonalDataAccessed') reads.push(e.data as { statedPurpose?: string });
    expect(reads.map((r) => r.statedPurpose ?? null)).toContain(purpose);
  });
});

describe('a restricted record is seen by the person and the DPO only', () => {
  const reads = () => [
    `/api/v1/users/${learner.userId}`,
    `/api/v1/reports/learners/${learner.userId}`,
    `/api/v1/reports/learners/${learner.userId}/timeline`,
    `/api/v1/courses/${course}/grades/${learner.userId}`,
    `/api/v1/assignments/${essay}/submissions/${learner.userId}`,
    `/api/v1/attempts/${attemptId}`,
  ];

  it('before: her teacher reads each, and finds her in the lists (nothing restricted)', async () => {
    for (const path of reads()) expect({ path, status: (await api().get(path).set(teacher.auth)).status }).toEqual({ path, status: 200 });
    const participants = await api().get(`/api/v1/courses/${course}/enrolments`).set(teacher.auth).expect(200);
    expect(participants.body.restricted).toBe(0);
    expect(participants.body.participants.map((p: { learnerId: string }) => p.learnerId)).toContain(learner.userId);
  });

  it('after an approved restriction: staff get PROCESSING_RESTRICTED and nothing else; she and the DPO still read', async () => {
    const filed = await api().post('/api/v1/privacy/requests').set(learner.auth).send({ type: 'restriction' }).expect(201);
    await api().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'accuracy contested' }).expect(200);
    await settled();
    // Her teacher reads all of them; the admins, her account, profile and timeline.
    for (const [who, paths] of [[teacher, reads()], [schoolAdmin, reads().slice(0, 3)], [admin, reads().slice(0, 3)]] as const) {
      for (const path of paths) {
        const res = await api().get(path).set(who.auth);
        expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'PROCESSING_RESTRICTED' });
        expect(res.text).not.toContain('Lamai');
      }
    }
    for (const who of [learner, dpo]) {
      for (const path of reads().slice(0, 1)) expect({ path, status: (await api().get(path).set(who.auth)).status }).toEqual({ path, status: 200 });
    }
    await api().get(`/api/v1/reports/learners/${learner.userId}`).set(learner.auth).expect(200);
    await api().get(`/api/v1/attempts/${attemptId}`).set(learner.auth).expect(200);
  });

  it('every list read leaves her out and says only that one record is restricted', async () => {
    const lists: [Session, string, string, string][] = [
      [teacher, `/api/v1/courses/${course}/enrolments`, 'participants', 'learnerId'],
      [teacher, `/api/v1/courses/${course}/grades`, 'learners', 'learnerId'],
      [teacher, `/api/v1/quizzes/${quizId}/attempts`, 'attempts', 'learnerId'],
      [teacher, `/api/v1/assignments/${essay}/submissions`, 'submissions', 'learnerId'],
      [teacher, `/api/v1/schools/${school}/members?role=learner`, 'members', 'userId'],
      [teacher, `/api/v1/schools/${school}/members?classId=${classId}`, 'members', 'userId'],
      [schoolAdmin, `/api/v1/schools/${school}/members`, 'members', 'userId'],
      [admin, `/api/v1/schools/${school}/members`, 'members', 'userId'],
    ];
    for (const [who, path, key, id] of lists) {
      const res = await api().get(path).set(who.auth).expect(200);
      const ids = (res.body[key] as Record<string, string>[]).map((r) => r[id]);
      expect({ path, hers: ids.includes(learner.userId), restricted: res.body.restricted, named: res.text.includes('Lamai') }).toEqual({ path, hers: false, restricted: 1, named: false });
      if (key !== 'members' || !path.includes('classId')) expect({ path, others: ids.includes(minor.userId) }).toEqual({ path, others: true });
    }
    // GraphQL asks the same handlers.
    const gql = await api()
      .post('/graphql')
      .set(teacher.auth)
      .send({ query: 'query ($id: ID!) { courseGrades(courseId: $id) { restricted learners { learnerId } } }', variables: { id: course } });
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.courseGrades.restricted).toBe(1);
    expect(gql.body.data.courseGrades.learners.map((l: { learnerId: string }) => l.learnerId)).toEqual([minor.userId]);
  });
});
