/**
 * The LMS's own activity through the standard Statement Resource: a school's
 * LRS client reading GET /xapi/statements sees what happened in its courses
 * (enrolments, quiz attempts, assignment submissions and grades, resource
 * views, imported Moodle rows) as statements whose id is the event's id,
 * whose timestamp is when it happened and whose stored is when Learnstream
 * recorded it; people are pseudonymous accounts; an erased person stays
 * erased (their email and account find nothing, their statements stay
 * counted under nobody's name); another school's client sees none of it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { MoodleLogImporter, validateStatement } from '../../libs/interop/src';
import { countEvents, createSchool, openAccount, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { caughtUp } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const HOME = 'https://learnstream.invalid';
const V = { 'X-Experience-API-Version': '1.0.3' };

interface Statement {
  id: string;
  actor: { account?: { homePage: string; name: string } };
  verb: { id: string };
  object: { id: string };
  context?: { contextActivities?: { parent?: { id: string }[] }; extensions?: Record<string, unknown> };
  timestamp: string;
  stored: string;
}

let admin: Session;
let schoolA: string;
let schoolB: string;
let teacher: Session;
let ann: Session;
let bo: Session;
let courseA: string;
let courseB: string;
let resourceId: string;
let client: { clientId: string; secret: string };
let clientB: { clientId: string; secret: string };
const BO_EMAIL = 'bo.lms@example.com';

const basic = (c: { clientId: string; secret: string }) => ({ Authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}` });
const lrs = (c = client) => ({ ...V, ...basic(c) });
const ext = (name: string) => `${HOME}/xapi/extensions/${name}`;
const courseIri = (id: string) => `${HOME}/courses/${id}`;

/** The Moodle Logs report rows the test imports: newest first, Bangkok time, no year (2025). */
const IMPORTED = [
  { time: '2 Jan, 10:15', at: Date.UTC(2025, 0, 2, 3, 15), user: 7 },
  { time: '1 Jan, 09:00', at: Date.UTC(2025, 0, 1, 2, 0), user: 8 },
  { time: '31 Dec, 23:30', at: Date.UTC(2024, 11, 31, 16, 30), user: 7 },
];

/** Every statement the client can read with these parameters, following `more`. */
async function readAll(query: string, c = client): Promise<Statement[]> {
  const out: Statement[] = [];
  let next: string = `/xapi/statements?limit=25${query ? `&${query}` : ''}`;
  while (next) {
    const res: request.Response = await http().get(next).set(lrs(c)).expect(200);
    out.push(...res.body.statements);
    next = res.body.more;
  }
  return out;
}

/** The course's events as the log holds them (what the statements must be made of). */
async function courseEvents(courseId: string): Promise<{ id: string; type: string; occurredAt: string; recordedAt: string; origin: string }[]> {
  const { rows } = await db.query(
    `SELECT event_id AS id, event_type AS type, metadata->>'occurredAt' AS "occurredAt", recorded_at AS "recordedAt", metadata->>'origin' AS origin
     FROM events WHERE metadata->>'courseId' = $1 ORDER BY global_position`,
    [courseId],
  );
  return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt).toISOString(), recordedAt: new Date(r.recordedAt).toISOString() }));
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'School A');
  schoolB = await createSchool(t, admin, 'School B');
  const schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  ann = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: 'ann.lms@example.com' });
  bo = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: BO_EMAIL });
  const schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  const teacherB = await openAccount(t, schoolAdminB, { schoolId: schoolB, role: 'teacher' });

  courseA = (await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: schoolA, title: 'Physics', code: 'PHY-L', subject: 'Physics', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  const sectionId = (await http().post(`/api/v1/courses/${courseA}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201)).body.sectionId;
  resourceId = (await http().post(`/api/v1/courses/${courseA}/resources`).set(teacher.auth).send({ sectionId, kind: 'page', title: 'Forces', content: { body: '<p>F = ma</p>' } }).expect(201)).body.resourceId;
  await http().post(`/api/v1/courses/${courseA}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [ann.userId, bo.userId] }).expect(200);
  await http().get(`/api/v1/courses/${courseA}/resources/${resourceId}`).set(ann.auth).expect(200);
  await http().get(`/api/v1/courses/${courseA}/resources/${resourceId}`).set(bo.auth).expect(200);
  // A quiz attempt, submitted (graded automatically).
  const quiz = (
    await http()
      .post(`/api/v1/courses/${courseA}/quizzes`)
      .set(teacher.auth)
      .send({ title: 'Quiz', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [{ kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true }] })
      .expect(201)
  ).body as { quizId: string; questions: { questionId: string }[] };
  const attemptId = (await http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ann.auth).expect(201)).body.attemptId;
  await http().put(`/api/v1/attempts/${attemptId}/answers`).set(ann.auth).send({ answers: [{ questionId: quiz.questions[0].questionId, answer: true }] }).expect(200);
  await http().post(`/api/v1/attempts/${attemptId}/submit`).set(ann.auth).expect(200);
  // An assignment submitted by Bo and graded by the teacher.
  const assignmentId = (await http().post(`/api/v1/courses/${courseA}/assignments`).set(teacher.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100 }).expect(201)).body.assignmentId;
  await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(bo.auth).send({ text: 'My essay' }).expect(201);
  await http().post(`/api/v1/assignments/${assignmentId}/submissions/${bo.userId}/grade`).set(teacher.auth).send({ grade: 70 }).expect(200);
  // Moodle's Logs report for the course, imported.
  const header = 'Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address';
  const lines = IMPORTED.map((r) => `"${r.time}",Learner ${r.user},-,Course: Physics,System,Course viewed,"The user with id '${r.user}' viewed the course with id '2'.",web,192.0.2.${r.user}`);
  const file = join(mkdtempSync(join(tmpdir(), 'xapi-lms-')), 'logs.csv');
  writeFileSync(file, [header, ...lines].join('\n') + '\n');
  const summary = await t.app.get(MoodleLogImporter).import({
    file,
    schoolId: schoolA,
    createMissing: true,
    site: 'lms-moodle',
    timeZone: 'Asia/Bangkok',
    year: 2025,
    moodleCourse: 2,
    mapping: { users: {}, courses: { 2: courseA }, modules: {}, people: {}, courseNames: {}, learners: {}, gradeItems: {} },
  });
  expect(summary.thisRun.appended).toBe(IMPORTED.length);
  // Another school's course and its activity.
  courseB = (await http().post('/api/v1/courses').set(teacherB.auth).send({ schoolId: schoolB, title: 'Geo', code: 'GEO-L', subject: 'Geography', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  await http().post(`/api/v1/courses/${courseB}/sections`).set(teacherB.auth).send({ title: 'Week 1' }).expect(201);
  client = (await http().post(`/api/v1/schools/${schoolA}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'School A warehouse' }).expect(201)).body;
  clientB = (await http().post(`/api/v1/schools/${schoolB}/xapi-clients`).set(schoolAdminB.auth).send({ name: 'School B warehouse' }).expect(201)).body;
  await caughtUp(t);
}, 180_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('the LMS\'s own activity in /xapi/statements', () => {
  it('gives each event of the school\'s courses once, under the event\'s id, with timestamp = when it happened and stored = when it was recorded', async () => {
    const events = await courseEvents(courseA);
    const all = await readAll('');
    const byId = new Map(all.map((s) => [s.id, s]));
    expect(byId.size).toBe(all.length);
    for (const e of events) {
      expect({ id: e.id, type: e.type, timestamp: byId.get(e.id)?.timestamp, stored: byId.get(e.id)?.stored }).toEqual({ id: e.id, type: e.type, timestamp: e.occurredAt, stored: e.recordedAt });
    }
    // What the course's statements are about: every kind the test did.
    const types = new Set(events.map((e) => e.type));
    for (const type of ['CourseCreated', 'CourseResourceAdded', 'LearnerEnrolled', 'ResourceViewed', 'CourseViewed', 'AttemptStarted', 'AttemptSubmitted', 'AssignmentSubmitted', 'SubmissionGraded']) {
      expect([...types]).toContain(type);
    }
    // Nothing of another school's course.
    for (const e of await courseEvents(courseB)) expect(byId.has(e.id)).toBe(false);
  });

  it('keeps an imported Moodle row at the time the report gave (Bangkok, the year the import was told), stored when it was imported', async () => {
    const imported = (await readAll(`activity=${encodeURIComponent(courseIri(courseA))}`)).filter((s) => s.context?.extensions?.[ext('origin')] === 'import' && s.verb.id === 'http://id.tincanapi.com/verb/viewed');
    expect(imported.map((s) => Date.parse(s.timestamp)).sort()).toEqual(IMPORTED.map((r) => r.at).sort());
    const importedAt = Date.now() - 10 * 60_000;
    for (const s of imported) expect(Date.parse(s.stored)).toBeGreaterThan(importedAt);
  });

  it('names people by pseudonymous account only, says the course as parent, and every statement is valid xAPI for this LRS', async () => {
    const all = await readAll(`activity=${encodeURIComponent(courseIri(courseA))}&related_activities=true`);
    expect(all.length).toBe((await courseEvents(courseA)).length);
    for (const s of all) {
      expect(s.actor).toEqual({ objectType: 'Agent', account: { homePage: HOME, name: expect.stringMatching(/^[0-9a-f-]{36}$|^(system|anonymous)$/) } });
      expect(validateStatement(s, 'statement')).toEqual([]);
      if (s.object.id !== courseIri(courseA)) expect(s.context?.contextActivities?.parent).toEqual([expect.objectContaining({ id: courseIri(courseA) })]);
    }
    expect(JSON.stringify(all)).not.toContain('ann.lms@example.com');
    // The view of the resource, by Ann, is the resource's activity.
    const views = await readAll(`verb=${encodeURIComponent('http://id.tincanapi.com/verb/viewed')}&activity=${encodeURIComponent(`${courseIri(courseA)}/resources/${resourceId}`)}`);
    expect(views.map((s) => s.actor.account!.name).sort()).toEqual([ann.userId, bo.userId].sort());
  });

  it('finds a member\'s statements by their account or their email; the same ids on every read and in the course\'s own xAPI', async () => {
    const byAccount = await readAll(`agent=${encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: HOME, name: ann.userId } }))}`);
    const byEmail = await readAll(`agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:ann.lms@example.com' }))}`);
    const annEvents = (await courseEvents(courseA)).filter((e) => e.origin !== 'import');
    const { rows } = await db.query(`SELECT event_id FROM events WHERE metadata->>'courseId' = $1 AND metadata->>'actorId' = $2`, [courseA, ann.userId]);
    expect(byAccount.map((s) => s.id).sort()).toEqual(rows.map((r) => r.event_id).sort());
    expect(byEmail.map((s) => s.id).sort()).toEqual(byAccount.map((s) => s.id).sort());
    expect(byAccount.every((s) => annEvents.some((e) => e.id === s.id))).toBe(true);
    // Related agents: also what was done to her (the teacher enrolling her).
    const related = await readAll(`agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:ann.lms@example.com' }))}&related_agents=true`);
    expect(related.length).toBeGreaterThan(byAccount.length);
    expect(related.some((s) => s.actor.account!.name === teacher.userId && s.context?.extensions?.[ext('related-user')] !== undefined)).toBe(true);
    // Stable: read again, and through the course's own xAPI for its teacher.
    const again = await readAll(`agent=${encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: HOME, name: ann.userId } }))}`);
    expect(again).toEqual(byAccount);
    const course = (await http().get(`/api/v1/courses/${courseA}/xapi?limit=500`).set(teacher.auth).expect(200)).body.statements as Statement[];
    for (const s of byAccount) expect(course.find((c) => c.id === s.id)).toEqual(s);
  });

  it('shows another school\'s client nothing of it, even by id, and lets no client void it', async () => {
    const [one] = await readAll(`agent=${encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: HOME, name: ann.userId } }))}`);
    await http().get(`/xapi/statements?statementId=${one.id}`).set(lrs()).expect(200);
    await http().get(`/xapi/statements?statementId=${one.id}`).set(lrs(clientB)).expect(404);
    const seenByB = await readAll('', clientB);
    const ofA = new Set((await courseEvents(courseA)).map((e) => e.id));
    expect(seenByB.filter((s) => ofA.has(s.id))).toEqual([]);
    expect(seenByB.map((s) => s.id).sort()).toEqual((await courseEvents(courseB)).map((e) => e.id).sort());
    expect(await readAll(`agent=${encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: HOME, name: ann.userId } }))}`, clientB)).toEqual([]);

    const before = await countEvents(t);
    const voiding = { actor: { mbox: 'mailto:ops@example.com' }, verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: one.id } };
    expect((await http().post('/xapi/statements').set(lrs()).send(voiding).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect(await countEvents(t)).toBe(before);
    await http().get(`/xapi/statements?statementId=${one.id}`).set(lrs()).expect(200);
  });
});

describe('restriction of processing', () => {
  it('withholds a restricted learner\'s statements (made by her or done to her) from every read while restricted, and gives them back once it is lifted', async () => {
    const byAccount = encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: HOME, name: ann.userId } }));
    const { rows } = await db.query<{ event_id: string }>(
      `SELECT event_id FROM events WHERE metadata->>'courseId' = $1 AND (metadata->>'actorId' = $2 OR metadata->>'relatedUserId' = $2)`,
      [courseA, ann.userId],
    );
    const hers = rows.map((r) => r.event_id).sort();
    expect(hers.length).toBeGreaterThanOrEqual(4); // enrolled by the teacher, the view, the attempt started and submitted
    // The statements are a report (asynchronous): the earlier tests' last events are in them before they are compared.
    await caughtUp(t);
    const before = (await readAll('')).map((s) => s.id).sort();
    for (const id of hers) expect(before).toContain(id);
    const mine = (await readAll(`agent=${byAccount}&related_agents=true`)).map((s) => s.id).sort();
    expect(mine).toEqual(hers);
    await http().get(`/xapi/statements?statementId=${hers[0]}`).set(lrs()).expect(200);
    // Her state in a tool (an agent's document, as a tool keeps a learner's progress): read like her statements.
    const state = `/xapi/activities/state?activityId=${encodeURIComponent('http://tool.example/essay')}&agent=${byAccount}`;
    await http().put(`${state}&stateId=progress`).set(lrs()).set('Content-Type', 'application/json').send({ page: 7 }).expect(204);
    expect((await http().get(`${state}&stateId=progress`).set(lrs()).expect(200)).body).toEqual({ page: 7 });

    const dpoSession = await registerUser(t);
    await http().put(`/api/v1/users/${dpoSession.userId}/roles/dpo`).set(admin.auth).expect(204);
    const dpo = await signIn(t, dpoSession.username, dpoSession.password);
    const filed = await http().post('/api/v1/privacy/requests').set(ann.auth).send({ type: 'restriction' }).expect(201);
    await http().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'accuracy contested' }).expect(200);
    await caughtUp(t);

    // Kept, not disclosed: every other statement as before, none of hers, by no filter and not by id.
    const during = await readAll('');
    expect(during.map((s) => s.id).sort()).toEqual(before.filter((id) => !hers.includes(id)));
    expect(JSON.stringify(during)).not.toContain(ann.userId);
    expect(await readAll(`agent=${byAccount}`)).toEqual([]);
    expect(await readAll(`agent=${byAccount}&related_agents=true`)).toEqual([]);
    expect(await readAll(`agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:ann.lms@example.com' }))}`)).toEqual([]);
    for (const id of hers) expect((await http().get(`/xapi/statements?statementId=${id}`).set(lrs()).expect(404)).body.error.code).toBe('XAPI_STATEMENT_NOT_FOUND');
    // Her teacher's xAPI of the course (the course log's rule) leaves them out too.
    const courseXapi = async () => ((await http().get(`/api/v1/courses/${courseA}/xapi?limit=500`).set(teacher.auth).expect(200)).body.statements as Statement[]).map((s) => s.id);
    expect((await courseXapi()).filter((id) => hers.includes(id))).toEqual([]);
    const { rows: kept } = await db.query<{ n: string }>('SELECT count(*) AS n FROM xapi_statements WHERE event_id = ANY ($1::uuid[])', [hers]);
    expect(Number(kept[0].n)).toBe(hers.length);
    await http().get(`${state}&stateId=progress`).set(lrs()).expect(404);
    expect((await http().get(state).set(lrs()).expect(200)).body).toEqual([]);

    await http().delete(`/api/v1/privacy/subjects/${ann.userId}/restriction`).set(dpo.auth).expect(200);
    await caughtUp(t);
    // Every statement of before is back; the only new ones are the teacher's reads of the course's xAPI (course events too).
    const after = (await readAll('')).map((s) => s.id);
    expect(before.filter((id) => !after.includes(id))).toEqual([]);
    const { rows: added } = await db.query<{ event_type: string }>('SELECT DISTINCT event_type FROM events WHERE event_id = ANY ($1::uuid[])', [after.filter((id) => !before.includes(id))]);
    expect(added.map((r) => r.event_type)).toEqual(['CourseXapiExported']);
    expect((await courseXapi()).filter((id) => hers.includes(id)).sort()).toEqual(hers);
    expect((await readAll(`agent=${byAccount}&related_agents=true`)).map((s) => s.id).sort()).toEqual(hers);
    await http().get(`/xapi/statements?statementId=${hers[0]}`).set(lrs()).expect(200);
    expect((await http().get(`${state}&stateId=progress`).set(lrs()).expect(200)).body).toEqual({ page: 7 });
  }, 60_000);
});

describe('erasure', () => {
  it('leaves an erased learner\'s statements counted under nobody\'s name: their email and account find nothing', async () => {
    const byEmail = { mbox: `mailto:${BO_EMAIL}` };
    const byAccount = { objectType: 'Agent', account: { homePage: HOME, name: bo.userId } };
    const find = (agent: unknown, related = false) => readAll(`agent=${encodeURIComponent(JSON.stringify(agent))}${related ? '&related_agents=true' : ''}`);
    // The test before ends with the teacher reading the course's xAPI (CourseXapiExported, a statement of its own): count once those are in.
    await caughtUp(t);
    const hers = await find(byEmail);
    const { rows } = await db.query(`SELECT event_id FROM events WHERE metadata->>'courseId' = $1 AND metadata->>'actorId' = $2`, [courseA, bo.userId]);
    expect(rows.length).toBeGreaterThanOrEqual(2); // the view of the resource, the submission
    expect(hers.map((s) => s.id).sort()).toEqual(rows.map((r) => r.event_id).sort());
    expect((await find(byAccount)).map((s) => s.id).sort()).toEqual(hers.map((s) => s.id).sort());
    const total = (await readAll('')).length;

    const dpoSession = await registerUser(t);
    await http().put(`/api/v1/users/${dpoSession.userId}/roles/dpo`).set(admin.auth).expect(204);
    const dpo = await signIn(t, dpoSession.username, dpoSession.password);
    const filed = await http().post('/api/v1/privacy/requests').set(bo.auth).send({ type: 'erasure' }).expect(201);
    await http().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'left the school' }).expect(200);
    await caughtUp(t);

    expect(await find(byEmail)).toEqual([]);
    expect(await find(byAccount)).toEqual([]);
    expect(await find(byAccount, true)).toEqual([]);
    const after = await readAll('');
    // Reading is an event too (XapiStatementsRead: no course, not a statement); the course's statements are all still there.
    expect(after.length).toBe(total);
    expect(JSON.stringify(after)).not.toContain(bo.userId);
    const kept = after.filter((s) => hers.some((h) => h.id === s.id));
    expect(kept).toHaveLength(hers.length);
    const anonymous = new Set(kept.map((s) => s.actor.account!.name));
    expect(anonymous.size).toBe(1);
    expect([...anonymous][0]).not.toBe(bo.userId);
  }, 60_000);
});
