/**
 * An erased person is not named by the OBJECT of other people's events
 * either. Reading the course log or the LRS after an erasure, a row whose
 * actor and related user became the erasure's anonymous id must not keep the
 * person's old id as its object (`object: { type: 'user', id }`): the old id
 * beside the anonymous one would say whose the anonymous id is, and every
 * other row under that anonymous id would lead back to the person.
 *
 * Events whose object is a person: a teacher assigned to the course they
 * create, and a co-teacher assigned by them (CourseTeacherAssigned). The
 * co-teacher is erased (the object of someone else's event), then the first
 * teacher (staff, not only learners, are erased); after each, the course log
 * (JSON, CSV) and the school's xAPI statements are read again, and the
 * read-model rows of the course log and the LRS are searched for the old id.
 * So is a learner's, whose own activity the LRS indexes with the stream it is
 * in (activity-<her id>) beside her anonymous id.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { caughtUp } from '../support/courses';
import { createSchool, openAccount, privacyOfficer, type Session, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
let schoolAdmin: Session;
let teacher: Session;
let coTeacher: Session;
let learner: Session;
let dpo: Session;
let course: string;
let lrs: { Authorization: string; 'X-Experience-API-Version': string };
const api = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Objects School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  coTeacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  learner = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' });
  dpo = await privacyOfficer(t, admin);
  // The teacher creates the course (assigned to it: the event's object is the teacher) and assigns a co-teacher (its object).
  course = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Objects', code: 'OBJ-1', subject: 'Science', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  await api().put(`/api/v1/courses/${course}/teachers/${coTeacher.userId}`).set(teacher.auth).send({ role: 'teacher' }).expect(204);
  // A learner's own client-side activity: her events are in her activity stream (activity-<her id>).
  await api().post(`/api/v1/courses/${course}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
  await api().post('/api/v1/activity').set(learner.auth).send({ id: randomUUID(), type: 'CourseViewed', courseId: course }).expect(201);
  const client = (await api().post(`/api/v1/schools/${school}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Warehouse' }).expect(201)).body as { clientId: string; secret: string };
  lrs = { Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`, 'X-Experience-API-Version': '1.0.3' };
  await caughtUp(t);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await t?.close();
});

async function erase(subject: Session): Promise<void> {
  const filed = await api().post('/api/v1/privacy/requests').set(dpo.auth).send({ type: 'erasure', subjectId: subject.userId }).expect(201);
  await api().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'no hold' }).expect(200);
  await caughtUp(t);
  // Every projection forgot her and acknowledged (none parked the erasure as a dead letter).
  const receipts = await api().get(`/api/v1/privacy/requests/${filed.body.requestId}/receipts`).set(dpo.auth).expect(200);
  expect(receipts.body.complete).toBe(true);
  expect((await db.query('SELECT projection, event_type, error FROM projection_dead_letters')).rows).toEqual([]);
}

/** The course log (JSON and CSV, as the school's admin) and every statement of the school's LRS, as text. */
async function outputs(): Promise<Record<string, string>> {
  const statements: unknown[] = [];
  for (let next: string | undefined = '/xapi/statements?limit=100'; next; ) {
    const res: request.Response = await api().get(next).set(lrs).expect(200);
    statements.push(...(res.body.statements as unknown[]));
    next = res.body.more || undefined;
  }
  return {
    courseLog: (await api().get(`/api/v1/courses/${course}/logs?limit=500`).set(schoolAdmin.auth).expect(200)).text,
    courseLogCsv: (await api().get(`/api/v1/courses/${course}/logs?format=csv`).set(schoolAdmin.auth).expect(200)).text,
    xapi: JSON.stringify(statements),
  };
}

/** Rows of the course log and the LRS's index that name `id` in any column. */
async function rowsNaming(id: string): Promise<{ table: string; row: string }[]> {
  const hits: { table: string; row: string }[] = [];
  for (const table of ['course_log', 'xapi_statements']) {
    const { rows } = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t WHERE row_to_json(t)::text LIKE '%' || $1 || '%'`, [id]);
    hits.push(...rows.map((r) => ({ table, row: r.row })));
  }
  return hits;
}

describe('an erased person is not the object of anyone’s rows', () => {
  it('before: the two teachers are the objects of the course log’s and the LRS’s rows', async () => {
    const before = await outputs();
    for (const [name, text] of Object.entries(before)) expect({ name, both: text.includes(teacher.userId) && text.includes(coTeacher.userId) }).toEqual({ name, both: true });
    const objects = await db.query<{ object_id: string }>(`SELECT DISTINCT object_id FROM course_log WHERE course_id = $1 AND object_type = 'user'`, [course]);
    expect(objects.rows.map((r) => r.object_id).sort()).toEqual([teacher.userId, coTeacher.userId].sort());
  });

  it('a learner erased: the LRS’s rows of her activity (her stream, activity-<id>) name her old id nowhere', async () => {
    await erase(learner);
    expect(await rowsNaming(learner.userId)).toEqual([]);
    const after = await outputs();
    expect(Object.entries(after).filter(([, text]) => text.includes(learner.userId)).map(([name]) => name)).toEqual([]);
  });

  it.each([
    ['the co-teacher (the object of the other teacher’s event)', () => coTeacher],
    ['the teacher who created the course (actor and object of her own assignment)', () => teacher],
  ])('%s erased: no row and no output names the old id; her assignment’s object is her anonymous id', async (_name, who) => {
    const erased = who();
    await erase(erased);
    expect(await rowsNaming(erased.userId)).toEqual([]);
    const after = await outputs();
    expect(Object.entries(after).filter(([, text]) => text.includes(erased.userId)).map(([name]) => name)).toEqual([]);
    // Her assignment to the course is still there (the course's counts do not change), about one anonymous id.
    const anonymous = await db.query<{ object_id: string; related_user_id: string }>(
      `SELECT object_id, related_user_id FROM course_log WHERE course_id = $1 AND event_type = 'CourseTeacherAssigned' AND object_id <> ALL ($2::uuid[])`,
      [course, [teacher.userId, coTeacher.userId]],
    );
    expect(anonymous.rows.length).toBe(erased === coTeacher ? 1 : 2);
    for (const row of anonymous.rows) expect(row.object_id).toBe(row.related_user_id);
  });
});
