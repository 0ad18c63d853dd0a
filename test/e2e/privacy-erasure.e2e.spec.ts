/**
 * THE acceptance test of erasure by crypto-shredding, over HTTP.
 *
 * Malee, a learner, has a year of activity (past-dated events appended as
 * the client activity they were, with her IP and user agent), enrolments,
 * a quiz answered in her own words, an essay, grades, feedback and an
 * override about her, a corrected name, an export, consents; and she is the
 * related user of her teacher's events (grading her, reading her account,
 * her grades, her profile, the course log filtered on her). Four classmates
 * make the course's aggregates.
 *
 * She asks to be erased; the DPO approves; every projection acknowledges.
 * Then her name (old and new), email, phone, national id, username, IP and
 * user agent are searched for, and not found, in:
 *   - every event of the log, decrypted as far as keys allow (and every
 *     sealed value of hers reads as erased), and the raw event rows;
 *   - every table of the public schema but the event store and the key store;
 *   - every report (course log JSON and CSV, grades, participants, class and
 *     school reports, usage, directory, privacy queue);
 *   - all of that again after a rebuild of every projection from the log;
 * while every report's figures are exactly what they were before: the
 * course's (grade distribution, per-question statistics, enrolment and
 * completion counts, course-log counts by action), the school report's and
 * the usage statistics' by role, by school and by month (every cell and
 * total: her year as a learner of the school stays in 'learner' and in her
 * school under the erasure's anonymous id).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { keyStoreUrlFor } from '../../libs/database/src/key-store-database';
import request from 'supertest';
import { EventLog, type RecordedEvent } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import type { UsagePeriodView as UsagePeriod } from '../../libs/reports/src';
import { createSchool, openAccount, PASSWORD, privacyOfficer, type Session, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
/** The key store's own database (keys and the erasure ledger). */
let keysDb: pg.Client;
const api = () => request(t.app.getHttpServer());
const ops = () => ({ Authorization: `Bearer ${t.opsToken}` });

const MALEE = {
  oldName: 'Malee Srisook',
  name: 'Malee Srisuk',
  given: 'Malee',
  family: 'Srisuk',
  email: 'malee.srisuk@example.com',
  phone: '+66 81 555 0199',
  nationalId: '1103700123457',
  ip: '203.0.113.77',
  userAgent: 'MaleeBrowser/7.3 (malee-laptop)',
};

/** The help desk's browser: the support admin's own metadata. */
const SUPPORT_UA = 'SupportDesk/2.0 (agent-7)';

let admin: Session;
let school: string;
let schoolAdmin: Session;
let teacher: Session;
let dpo: Session;
let malee: Session;
let classmates: Session[];
let course: string;
let resource: string;
let quiz: { quizId: string; questions: { questionId: string }[] };
let essay: string;
let erasureId: string;
let needles: string[];

/** Malee's requests carry her user agent. */
const as = (who: Session) => ({ ...who.auth, 'User-Agent': who === malee ? MALEE.userAgent : 'Classroom/1.0' });

async function settled(): Promise<void> {
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

/** The needles found in `text`, case-insensitively. */
function found(text: string): string[] {
  const lower = text.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()));
}

type Cell = { key: string; people: number | null; events?: number | null };

/**
 * The usage statistics by `by`, month by month: every cell of the months
 * before this one (registrations and active users: people and events), and
 * the people of this month's cells (this month's events grow with the
 * test's own requests; everyone who acts in it has acted before `before`).
 */
async function usageBy(by: 'role' | 'school') {
  const usage = await api().get(`/api/v1/reports/usage?from=${yearAgo().slice(0, 10)}&to=${today()}&granularity=month&by=${by}`).set(as(admin)).expect(200);
  const thisMonth = `${today().slice(0, 7)}-01`;
  const cells = (row: { total: Cell; cells: Cell[] }, past: boolean): Cell[] =>
    [{ ...row.total, key: 'total' }, ...row.cells]
      .map((c) => (past ? { key: c.key, people: c.people, events: c.events } : { key: c.key, people: c.people }))
      .filter((c) => c.people !== 0)
      .sort((a, b) => a.key.localeCompare(b.key));
  return usage.body.periods.map((p: UsagePeriod) => ({
    period: p.period,
    registrations: cells(p.registrations as unknown as { total: Cell; cells: Cell[] }, p.period < thisMonth),
    active: cells(p.activeUsers as unknown as { total: Cell; cells: Cell[] }, p.period < thisMonth),
  }));
}

/** The school report's figures about learners (teachers' own figures grow with the test's reads). */
async function schoolFigures() {
  const from = new Date(Date.now() - 360 * 86_400_000).toISOString().slice(0, 10);
  const report = await api().get(`/api/v1/reports/schools/${school}?from=${from}&to=${today()}`).set(as(schoolAdmin)).expect(200);
  const body = report.body as { overall: object; courses: { courseId: string }[]; bySubject: object[]; byGradeLevel: object[] };
  return { overall: body.overall, courses: body.courses, bySubject: body.bySubject, byGradeLevel: body.byGradeLevel };
}

/** The course's and the school's aggregates, as its teacher, its school admin and the platform admin see them. */
async function aggregates() {
  const grades = await api().get(`/api/v1/courses/${course}/grades?final=true`).set(as(teacher)).expect(200);
  const report = await api().get(`/api/v1/reports/courses/${course}`).set(as(teacher)).expect(200);
  const usage = await api().get(`/api/v1/reports/usage?from=${yearAgo().slice(0, 10)}&to=${today()}&granularity=month&by=role`).set(as(admin)).expect(200);
  const q = async (sql: string) => (await db.query(sql, [course])).rows;
  return {
    usageByRole: await usageBy('role'),
    usageBySchool: await usageBy('school'),
    school: await schoolFigures(),
    totals: grades.body.learners.map((l: { total: { percentage: number | null } }) => l.total.percentage).sort(),
    learners: grades.body.learners.length,
    summary: { ...report.body.summary },
    distribution: report.body.gradeDistribution,
    questions: report.body.questions,
    // The months before this one (this month's figures grow with the test's own requests).
    usageTotals: usage.body.periods
      .filter((p: UsagePeriod) => p.period < `${today().slice(0, 7)}-01`)
      .map((p: UsagePeriod) => ({ period: p.period, active: p.activeUsers.total, registrations: p.registrations.total })),
    results: await q(`SELECT activity_id, count(*)::int AS n, round(avg(grade)::numeric, 4) AS mean FROM activity_results WHERE course_id = $1 GROUP BY 1 ORDER BY 1`),
    attempts: await q(`SELECT quiz_id, count(*)::int AS n, round(avg(grade)::numeric, 4) AS mean FROM quiz_attempts WHERE course_id = $1 GROUP BY 1 ORDER BY 1`),
    enrolments: await q(`SELECT status, count(*)::int AS n FROM course_enrolments WHERE course_id = $1 GROUP BY 1 ORDER BY 1`),
    completions: await q(`SELECT count(*)::int AS n FROM course_completions WHERE course_id = $1`),
    log: await q(`SELECT event_type, count(*)::int AS n FROM course_log WHERE course_id = $1 AND event_type NOT IN ('CourseLogViewed', 'ClassReportViewed', 'GradesViewed', 'PersonalDataAccessed') GROUP BY 1 ORDER BY 1`),
    questionResults: await q(`SELECT question_id, count(*)::int AS n, round(avg(score)::numeric, 4) AS mean FROM progress_question_results WHERE course_id = $1 GROUP BY 1 ORDER BY 1`),
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const yearAgo = () => new Date(Date.now() - 370 * 86_400_000).toISOString();

/** Every event of the log, raw and decoded. */
async function everyEvent(): Promise<{ raw: RecordedEvent; text: string; erased: string[] }[]> {
  const log = t.app.get(EventLog);
  const raws: RecordedEvent[] = [];
  for await (const r of log.store.readAll()) raws.push(r);
  const out: { raw: RecordedEvent; text: string; erased: string[] }[] = [];
  for (let i = 0; i < raws.length; i += 500) {
    const page = raws.slice(i, i + 500);
    const decoded = await log.decode(page);
    decoded.forEach((e, k) => out.push({ raw: page[k], text: JSON.stringify({ type: e.type, streamId: e.streamId, data: e.data, envelope: e.envelope }), erased: e.erased }));
  }
  return out;
}

/** Paths of the sealed values of `subject` in a raw event (data.…, envelope.…). */
function sealedPathsOf(node: unknown, subject: string, path: string, into: string[]): string[] {
  if (Array.isArray(node)) node.forEach((v, i) => sealedPathsOf(v, subject, `${path}[${i}]`, into));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.$pd === 1) {
      if (String(o.s).toLowerCase() === subject) into.push(path);
    } else for (const [k, v] of Object.entries(o)) sealedPathsOf(v, subject, path ? `${path}.${k}` : k, into);
  }
  return into;
}

/** Every row of every table but the event store's and the key store's, as JSON text, by table. */
async function everyTable(): Promise<Map<string, string[]>> {
  const { rows } = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('events', 'streams', 'subject_keys', 'erased_subjects', 'key_store_check') ORDER BY 1`,
  );
  const out = new Map<string, string[]>();
  for (const { table_name } of rows) {
    const data = await db.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
    out.set(table_name, data.rows.map((r: { row: string }) => r.row));
  }
  return out;
}

/** Every report, as text. */
async function everyReport(): Promise<Record<string, string>> {
  const text = async (who: Session, path: string) => {
    const res = await api().get(path).set(as(who));
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.text;
  };
  return {
    courseLog: await text(teacher, `/api/v1/courses/${course}/logs?limit=500`),
    courseLogCsv: await text(teacher, `/api/v1/courses/${course}/logs?format=csv`),
    grades: await text(teacher, `/api/v1/courses/${course}/grades?final=true`),
    participants: await text(teacher, `/api/v1/courses/${course}/enrolments`),
    classReport: await text(teacher, `/api/v1/reports/courses/${course}`),
    schoolReport: await text(schoolAdmin, `/api/v1/reports/schools/${school}?from=${new Date(Date.now() - 360 * 86_400_000).toISOString().slice(0, 10)}&to=${today()}`),
    usage: await text(admin, `/api/v1/reports/usage?from=${yearAgo().slice(0, 10)}&to=${today()}&granularity=month&by=country`),
    directory: await text(schoolAdmin, `/api/v1/schools/${school}/members?includeEnded=true`),
    queue: await text(dpo, '/api/v1/privacy/requests/queue?status=completed'),
    request: await text(dpo, `/api/v1/privacy/requests/${erasureId}`),
    attempts: await text(teacher, `/api/v1/quizzes/${quiz.quizId}/attempts`),
    submissions: await text(teacher, `/api/v1/assignments/${essay}/submissions`),
  };
}

beforeAll(async () => {
  t = await createTestApp({ USAGE_MIN_CELL_SIZE: '1' });
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  keysDb = new pg.Client({ connectionString: keyStoreUrlFor(t.db.url) });
  await keysDb.connect();
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Riverside School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', displayName: 'Teacher Tanawat' });
  dpo = await privacyOfficer(t, admin);
  malee = await openAccount(t, schoolAdmin, {
    schoolId: school,
    role: 'learner',
    displayName: MALEE.oldName,
    email: MALEE.email,
    dateOfBirth: '2004-06-07',
    ...({ givenName: MALEE.given, familyName: MALEE.family, phone: MALEE.phone, nationalId: MALEE.nationalId, country: 'TH' } as object),
  });
  classmates = await Promise.all([1, 2, 3, 4].map((i) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: `Classmate ${i}` })));
  needles = [MALEE.oldName, MALEE.name, MALEE.email, MALEE.phone, MALEE.nationalId, MALEE.ip, MALEE.userAgent, malee.username, 'Srisuk', 'Srisook'];

  // The course, its quiz (a free-text question), an essay, a page, a gradebook and completion rules.
  const c = await api().post('/api/v1/courses').set(as(teacher)).send({ schoolId: school, title: 'Thai History', code: 'HIS-1', subject: 'History', selfEnrolment: { enabled: false } }).expect(201);
  course = c.body.courseId;
  const section = await api().post(`/api/v1/courses/${course}/sections`).set(as(teacher)).send({ title: 'Term 1' }).expect(201);
  const page = await api()
    .post(`/api/v1/courses/${course}/resources`)
    .set(as(teacher))
    .send({ sectionId: section.body.sectionId ?? section.body.sections?.[0]?.sectionId, kind: 'page', title: 'Sukhothai', content: { body: '<p>Sukhothai</p>' } });
  if (page.status === 201) resource = page.body.resourceId;
  else {
    const got = await api().get(`/api/v1/courses/${course}`).set(as(teacher)).expect(200);
    resource = (await api().post(`/api/v1/courses/${course}/resources`).set(as(teacher)).send({ sectionId: got.body.sections[0].sectionId, kind: 'page', title: 'Sukhothai', content: { body: '<p>Sukhothai</p>' } }).expect(201)).body.resourceId;
  }
  await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(as(teacher)).send({ learnerIds: [malee, ...classmates].map((s) => s.userId) }).expect(200);
  const q = await api()
    .post(`/api/v1/courses/${course}/quizzes`)
    .set(as(teacher))
    .send({
      title: 'Who founded Sukhothai?',
      attemptsAllowed: 1,
      gradingMethod: 'highest',
      maxGrade: 10,
      passGrade: 5,
      questions: [
        { kind: 'short_answer', text: 'Who founded Sukhothai?', points: 1, skills: ['history'], accepted: ['Si Inthrathit'], caseSensitive: false },
        { kind: 'true_false', text: 'Sukhothai came before Ayutthaya.', points: 1, skills: ['chronology'], correct: true },
      ],
    })
    .expect(201);
  quiz = q.body;
  essay = (await api().post(`/api/v1/courses/${course}/assignments`).set(as(teacher)).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201)).body.assignmentId;
  await api().post(`/api/v1/courses/${course}/gradebook`).set(as(teacher)).send({}).expect(201);
  const quizItem = await api().post(`/api/v1/courses/${course}/gradebook/items`).set(as(teacher)).send({ source: { kind: 'quiz', id: quiz.quizId }, weight: 40 }).expect(201);
  await api().post(`/api/v1/courses/${course}/gradebook/items`).set(as(teacher)).send({ source: { kind: 'assignment', id: essay }, weight: 60 }).expect(201);
  await api().put(`/api/v1/courses/${course}/completion/rules/${essay}`).set(as(teacher)).send({ kind: 'assignment', rule: 'submitted' }).expect(200);
  await api().put(`/api/v1/courses/${course}/completion/criteria`).set(as(teacher)).send({ requireAll: 'all' }).expect(200);

  // Everyone answers, reads the page and writes; Malee in her own words.
  const everyone = [malee, ...classmates];
  for (const [i, who] of everyone.entries()) {
    const attempt = await api().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(as(who)).expect(201);
    const first = who === malee ? `${MALEE.name} thinks Si Inthrathit` : i % 2 ? 'Si Inthrathit' : 'Ramkhamhaeng';
    await api()
      .put(`/api/v1/attempts/${attempt.body.attemptId}/answers`)
      .set(as(who))
      .send({ answers: [{ questionId: quiz.questions[0].questionId, answer: first }, { questionId: quiz.questions[1].questionId, answer: i !== 3 }] })
      .expect(200);
    await api().post(`/api/v1/attempts/${attempt.body.attemptId}/submit`).set(as(who)).expect(200);
    await api().get(`/api/v1/courses/${course}/resources/${resource}`).set(as(who)).expect(200);
    const text = who === malee ? `Essay by ${MALEE.name} (${MALEE.email}, ${MALEE.phone})` : `Essay ${i}`;
    await api().post(`/api/v1/assignments/${essay}/submissions`).set(as(who)).send({ text }).expect(201);
    await api().post(`/api/v1/assignments/${essay}/submissions/${who.userId}/grade`).set(as(teacher)).send({ grade: 50 + 10 * i, feedback: who === malee ? `Well argued, ${MALEE.name}` : 'Good' }).expect(200);
  }
  await api().put(`/api/v1/courses/${course}/grades/${quizItem.body.createdId}/${malee.userId}/override`).set(as(teacher)).send({ grade: 9, reason: `${MALEE.name} appealed in person` }).expect(200);
  await api().post(`/api/v1/courses/${course}/gradebook/release`).set(as(teacher)).send({}).expect(200);

  // A year of her activity, from her laptop: appended as it happened (occurredAt in the past).
  const log = t.app.get(EventLog);
  for (let month = 12; month >= 1; month--) {
    const at = new Date(Date.now() - month * 30 * 86_400_000);
    const envelope = (type: 'course' | 'resource', id: string) => ({
      actorId: malee.userId, realActorId: null, courseId: course, schoolId: school, action: 'viewed', crud: 'r' as const, object: { type, id },
      relatedUserId: null, ip: MALEE.ip, userAgent: MALEE.userAgent, origin: 'web' as const, correlationId: randomUUID(), causationId: null, occurredAt: at.toISOString(),
    });
    await log.append(`activity-${malee.userId}`, [
      { type: 'CourseViewed', data: { courseId: course, userId: malee.userId }, envelope: envelope('course', course) },
      { type: 'ResourceViewed', data: { courseId: course, sectionId: (await db.query('SELECT section_id FROM course_resources WHERE resource_id = $1', [resource])).rows[0].section_id, resourceId: resource, userId: malee.userId }, envelope: envelope('resource', resource) },
    ]);
  }

  // She had been a learner of the school for a year (a membership appended as it was, ended before today's).
  const joined = new Date(Date.now() - 13 * 30 * 86_400_000).toISOString();
  const left = new Date(Date.now() - 86_400_000).toISOString();
  const membershipId = randomUUID();
  const system = (at: string) => ({
    actorId: null, realActorId: null, courseId: null, schoolId: school, action: 'joined', crud: 'c' as const, object: { type: 'membership', id: membershipId },
    relatedUserId: malee.userId, ip: null, userAgent: null, origin: 'system' as const, correlationId: randomUUID(), causationId: null, occurredAt: at,
  });
  await log.append(`user-${malee.userId}`, [
    { type: 'SchoolJoined', data: { membershipId, userId: malee.userId, schoolId: school, role: 'learner', classId: null, gradeLevel: null, by: null, at: joined }, envelope: system(joined) },
    { type: 'SchoolLeft', data: { membershipId, userId: malee.userId, schoolId: school, reason: null, by: null, at: left }, envelope: { ...system(left), action: 'left', crud: 'u' as const } },
  ]);

  // Her teacher reads about her: her account, her grades, her profile, the course log filtered on her.
  await api().get(`/api/v1/users/${malee.userId}`).set(as(teacher)).expect(200);
  await api().get(`/api/v1/courses/${course}/grades/${malee.userId}`).set(as(teacher)).expect(200);
  await api().get(`/api/v1/reports/learners/${malee.userId}`).set(as(teacher)).expect(200);
  await api().get(`/api/v1/courses/${course}/logs?user=${malee.userId}`).set(as(teacher)).expect(200);

  // Support acts as her for a ticket, from the help desk: the session's metadata is the admin's.
  const support = await api().post('/api/v1/auth/impersonate').set({ ...admin.auth, 'User-Agent': SUPPORT_UA }).send({ userId: malee.userId, reason: 'Ticket 7: the essay will not open' }).expect(200);
  const acting = { Authorization: `Bearer ${support.body.accessToken}`, 'User-Agent': SUPPORT_UA };
  await api().get(`/api/v1/assignments/${essay}/submissions/${malee.userId}`).set(acting).expect(200);
  await api().post('/api/v1/auth/logout').set(acting).expect(204);
  const seenByHer = await api().get(`/api/v1/users/${malee.userId}/impersonations`).set(as(malee)).expect(200);
  expect(seenByHer.body).toEqual([expect.objectContaining({ by: admin.userId, startedFrom: null, endedFrom: null })]);

  // She corrects her name, exports her data, turns marketing down.
  const rect = await api().post('/api/v1/privacy/requests').set(as(malee)).send({ type: 'rectification', changes: { displayName: MALEE.name }, note: `I am ${MALEE.name}, not ${MALEE.oldName}` }).expect(201);
  await api().post(`/api/v1/privacy/requests/${rect.body.requestId}/approve`).set(as(dpo)).send({}).expect(200);
  const exported = await api().get('/api/v1/privacy/export').set(as(malee)).expect(200);
  expect(exported.body.profile).toMatchObject({ displayName: MALEE.name, email: MALEE.email, phone: MALEE.phone, nationalId: MALEE.nationalId });
  expect(exported.body.activityLog.filter((e: { ip: string | null }) => e.ip === MALEE.ip)).toHaveLength(24);
  await api().delete(`/api/v1/privacy/subjects/${malee.userId}/consents/marketing`).set(as(malee)).expect(200);
  await settled();
}, 240_000);

afterAll(async () => {
  await db?.end();
  await keysDb?.end();
  await t?.close();
});

describe('erasing a learner', () => {
  let before: Awaited<ReturnType<typeof aggregates>>;

  it('before: her data is everywhere one looks', async () => {
    before = await aggregates();
    expect(before.learners).toBe(5);
    // Her year as a learner of the school is in the months before this one, by role and by school.
    const past = (rows: { period: string; active: Cell[] }[], key: string) => rows.filter((p) => p.period < `${today().slice(0, 7)}-01`).flatMap((p) => p.active.filter((c) => c.key === key));
    expect(past(before.usageByRole, 'learner').length).toBeGreaterThanOrEqual(11);
    expect(past(before.usageBySchool, school).length).toBeGreaterThanOrEqual(11);
    expect(past(before.usageByRole, 'general')).toEqual([]);
    expect(before.enrolments).toEqual([{ status: 'active', n: 5 }]);
    const tables = await everyTable();
    const holding = [...tables].filter(([, rows]) => rows.some((r) => found(r).length)).map(([name]) => name);
    expect(holding).toEqual(expect.arrayContaining(['accounts', 'assignment_submissions', 'quiz_attempts', 'privacy_requests']));
    const events = await everyEvent();
    expect(events.filter((e) => found(e.text).includes(MALEE.ip))).toHaveLength(24);
  });

  it('she asks, the DPO approves, her keys are destroyed and every projection acknowledges', async () => {
    const filed = await api().post('/api/v1/privacy/requests').set(as(malee)).send({ type: 'erasure', note: `Please forget ${MALEE.name}` }).expect(201);
    erasureId = filed.body.requestId;
    const started = Date.now();
    const approved = await api().post(`/api/v1/privacy/requests/${erasureId}/approve`).set(as(dpo)).send({ reason: 'no legal hold, nothing to keep' }).expect(200);
    expect(approved.body).toMatchObject({ status: 'completed', outcome: 'erased' });
    expect((await keysDb.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [malee.userId])).rows[0].n).toBe(0);
    expect((await keysDb.query('SELECT reason FROM erased_subjects WHERE subject_id = $1', [malee.userId])).rows).toEqual([{ reason: `privacy request ${erasureId}` }]);
    const projections: { name: string }[] = (await api().get('/api/v1/admin/projections').set(ops()).expect(200)).body.projections;
    let receipts;
    for (const until = Date.now() + 120_000; ; ) {
      receipts = (await api().get(`/api/v1/privacy/requests/${erasureId}/receipts`).set(as(dpo)).expect(200)).body;
      if (receipts.complete) break;
      if (Date.now() > until) throw new Error(`not every projection acknowledged: ${JSON.stringify(receipts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(receipts.receipts.map((r: { projection: string }) => r.projection).sort()).toEqual(projections.map((p) => p.name).sort());
    expect(receipts.userId).toBe(malee.userId);
    console.log(`erasure approved → every one of ${projections.length} projections acknowledged in ${Date.now() - started} ms`);
    // Her username index entry and sessions are gone: she cannot sign in, her token is dead.
    expect((await db.query('SELECT count(*)::int AS n FROM username_index WHERE user_id = $1', [malee.userId])).rows[0].n).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [malee.userId])).rows[0].n).toBe(0);
    await api().get('/api/v1/me').set(as(malee)).expect(401);
    await api().post('/api/v1/auth/login').send({ username: malee.username, password: PASSWORD }).expect(401);
    await api().get(`/api/v1/users/${malee.userId}`).set(as(teacher)).expect((r) => expect([403, 404]).toContain(r.status));
    // The support trail outlives her: the admin's IP and user agent were sealed under the admin's key
    // (the ticket's reason, said about her, was sealed under hers and is gone).
    const audit = await api().get(`/api/v1/users/${malee.userId}/impersonations`).set(as(dpo)).expect(200);
    const from = { ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/), userAgent: SUPPORT_UA };
    expect(audit.body).toEqual([expect.objectContaining({ by: admin.userId, reason: null, startedFrom: from, endedFrom: from, endedAt: expect.any(String) })]);
    await settled();
  });

  it('no event of the log says who she was: every sealed value of hers reads as erased', async () => {
    const events = await everyEvent();
    const hits = events.filter((e) => found(e.text).length).map((e) => ({ type: e.raw.type, found: found(e.text) }));
    expect(hits).toEqual([]);
    let hers = 0;
    for (const e of events) {
      const paths = [...sealedPathsOf(e.raw.data, malee.userId, 'data', []), ...sealedPathsOf(e.raw.metadata, malee.userId, 'envelope', [])];
      hers += paths.length;
      expect({ event: e.raw.type, unreadable: paths.filter((p) => !e.erased.includes(p)) }).toEqual({ event: e.raw.type, unreadable: [] });
    }
    expect(hers).toBeGreaterThan(50);
    const raw = await db.query('SELECT data::text || metadata::text AS text FROM events');
    expect(raw.rows.filter((r: { text: string }) => found(r.text).length)).toEqual([]);
  });

  it('no table holds anything of hers; no report shows it', async () => {
    const tables = await everyTable();
    expect(tables.size).toBeGreaterThan(40);
    const hits = [...tables].flatMap(([name, rows]) => rows.filter((r) => found(r).length).map((r) => ({ table: name, row: r })));
    expect(hits).toEqual([]);
    // Her id is gone from the tables that named her, replaced by one anonymous id where rows are kept.
    for (const [table, column] of [['accounts', 'user_id'], ['school_memberships', 'user_id'], ['course_enrolments', 'learner_id'], ['quiz_attempts', 'learner_id'], ['activity_results', 'learner_id'], ['course_log', 'actor_id'], ['course_log', 'related_user_id'], ['usage_daily_actors', 'user_id'], ['subject_events', 'user_id'], ['subject_flags', 'user_id']]) {
      expect({ table, column, n: (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [malee.userId])).rows[0].n }).toEqual({ table, column, n: 0 });
    }
    const reports = await everyReport();
    expect(Object.entries(reports).filter(([, text]) => found(text).length).map(([name, text]) => ({ name, found: found(text) }))).toEqual([]);
  });

  it('reading by her old id writes it nowhere: no new event, no new row names it', async () => {
    const old = malee.userId;
    const rowsNaming = async () => new Map([...(await everyTable())].map(([name, rows]) => [name, rows.filter((r) => r.includes(old)).length]));
    const before = await rowsNaming();
    const mark = await t.app.get(EventLog).store.headPosition();
    const reads: [Session, string][] = [
      [teacher, `/api/v1/courses/${course}/logs?user=${old}`],
      [teacher, `/api/v1/courses/${course}/logs?user=${old}&format=csv`],
      [teacher, `/api/v1/courses/${course}/grades/${old}`],
      [teacher, `/api/v1/reports/learners/${old}`],
      [teacher, `/api/v1/reports/learners/${old}/timeline`],
      [teacher, `/api/v1/users/${old}`],
      [teacher, `/api/v1/assignments/${essay}/submissions/${old}`],
      [schoolAdmin, `/api/v1/users/${old}/affiliations`],
      [schoolAdmin, `/api/v1/users/${old}/parent-links`],
      [admin, `/api/v1/users/${old}?purpose=${encodeURIComponent('Ticket 9: checking an old record')}`],
      [admin, `/api/v1/courses/${course}/logs?user=${old}`],
      [dpo, `/api/v1/privacy/subjects/${old}`],
      [dpo, `/api/v1/privacy/subjects/${old}/export`],
      [dpo, `/api/v1/users/${old}/impersonations`],
    ];
    for (const [who, path] of reads) await api().get(path).set(as(who));
    await settled();
    const appended: { type: string; text: string }[] = [];
    for await (const r of t.app.get(EventLog).store.readAll(mark ? { from: mark } : undefined)) appended.push({ type: r.type, text: JSON.stringify([r.data, r.metadata]) });
    expect(appended.length).toBeGreaterThan(0);
    expect(appended.filter((e) => e.text.includes(old)).map((e) => e.type)).toEqual([]);
    expect(await rowsNaming()).toEqual(before);
  });

  it('the course’s aggregates are unchanged', async () => {
    expect(await aggregates()).toEqual(before);
  });

  it('a rebuild of every projection from the log brings nothing of hers back, and the same aggregates', async () => {
    const status = async () => (await api().get('/api/v1/admin/projections').set(ops()).expect(200)).body.projections as { name: string; generation: number; lag: number }[];
    const generations = new Map((await status()).map((p) => [p.name, p.generation]));
    for (const name of generations.keys()) await api().post(`/api/v1/admin/projections/${name}/rebuild`).set(ops()).expect(202);
    for (const until = Date.now() + 120_000; ; ) {
      const now = await status();
      if (now.every((p) => p.generation === generations.get(p.name)! + 1 && p.lag === 0)) break;
      if (Date.now() > until) throw new Error(`projections did not catch up: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await settled();
    const tables = await everyTable();
    expect([...tables].flatMap(([name, rows]) => rows.filter((r) => found(r).length).map((r) => ({ table: name, row: r })))).toEqual([]);
    const reports = await everyReport();
    expect(Object.entries(reports).filter(([, text]) => found(text).length).map(([name]) => name)).toEqual([]);
    expect(await aggregates()).toEqual(before);
    expect((await db.query('SELECT projection, event_type, error FROM projection_dead_letters')).rows).toEqual([]);
  }, 120_000);
});
