/**
 * Courses and enrolments over HTTP: a teacher builds a course, staff enrol
 * learners (one, many, idempotently), learners enrol themselves with a key;
 * refusals carry stable codes and append nothing; an archived course is
 * read-only; concurrent edits all land; reads are recorded as events for
 * participants only; and nobody outside the course reads a thing of it.
 */
import pg from 'pg';
import request from 'supertest';
import { EVENT_STORE, type EventStore } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { countEvents, createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

// School A: its admin, two teachers, learners. School B: a teacher and a learner. A parent linked to no one.
let admin: Session;
let schoolA: string;
let schoolB: string;
let schoolAdmin: Session;
let teacher: Session;
let teacher2: Session;
let learner1: Session;
let learner2: Session;
let learner3: Session;
let selfLearner: Session;
let bystander: Session;
let teacherB: Session;
let learnerB: Session;
let parent: Session;

const KEY = 'open-sesame-42';

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'School A');
  schoolB = await createSchool(t, admin, 'School B');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  teacher2 = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  [learner1, learner2, learner3, selfLearner, bystander] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', displayName: 'Learner of A' })),
  );
  const schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  teacherB = await openAccount(t, schoolAdminB, { schoolId: schoolB, role: 'teacher' });
  learnerB = await openAccount(t, schoolAdminB, { schoolId: schoolB, role: 'learner' });
  parent = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

async function streamEvents(streamId: string): Promise<{ type: string; metadata: Record<string, unknown>; data: Record<string, unknown> }[]> {
  const { rows } = await db.query('SELECT event_type AS type, metadata, data FROM events WHERE stream_id = $1 ORDER BY stream_revision', [streamId]);
  return rows;
}

async function createCourse(by: Session, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await http()
    .post('/api/v1/courses')
    .set(by.auth)
    .send({ schoolId: schoolA, title: 'Mathematics 1', code: 'MATH-101', subject: 'Mathematics', gradeLevel: 'M1', summary: 'Numbers.', selfEnrolment: { enabled: true, key: KEY }, ...overrides });
  expect(res.status).toBe(201);
  return res.body.courseId;
}

async function addSection(by: Session, courseId: string, title: string, position?: number): Promise<string> {
  const res = await http().post(`/api/v1/courses/${courseId}/sections`).set(by.auth).send({ title, ...(position !== undefined && { position }) }).expect(201);
  return res.body.sectionId;
}

async function addPage(by: Session, courseId: string, sectionId: string, title: string, visible = true): Promise<string> {
  const res = await http().post(`/api/v1/courses/${courseId}/resources`).set(by.auth).send({ sectionId, kind: 'page', title, content: { body: `<p>${title}</p>` }, visible }).expect(201);
  return res.body.resourceId;
}

async function enrol(by: Session, courseId: string, learner: Session) {
  await http().post(`/api/v1/courses/${courseId}/enrolments`).set(by.auth).send({ learnerId: learner.userId }).expect(201);
}

describe('creating and building a course', () => {
  it('lets a teacher create a course, whose teacher they become; the enrolment key is kept only as a hash', async () => {
    const courseId = await createCourse(teacher);
    const res = await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(res.body).toMatchObject({
      courseId,
      schoolId: schoolA,
      title: 'Mathematics 1',
      code: 'MATH-101',
      archived: false,
      selfEnrolment: { enabled: true, keyRequired: true },
      staff: [{ userId: teacher.userId, role: 'teacher' }],
      sections: [],
      viewer: { role: 'teacher', enrolled: false, teaches: true },
    });
    const events = await streamEvents(`course-${courseId}`);
    expect(events.map((e) => e.type)).toEqual(['CourseCreated', 'CourseTeacherAssigned']);
    expect(events[0].metadata).toMatchObject({ actorId: teacher.userId, action: 'created', crud: 'c', courseId, schoolId: schoolA, object: { type: 'course', id: courseId } });
    expect((events[0].data.selfEnrolment as { keyHash: string }).keyHash).toMatch(/^scrypt\$/);
    const everything = JSON.stringify([events, res.body, (await db.query('SELECT * FROM courses WHERE course_id = $1', [courseId])).rows]);
    expect(everything).not.toContain(KEY);
  });

  it('lets a school admin create a course without becoming its teacher, and refuses learners, other schools and bad input', async () => {
    const courseId = await createCourse(schoolAdmin, { code: 'ADM-1' });
    const res = await http().get(`/api/v1/courses/${courseId}`).set(schoolAdmin.auth).expect(200);
    expect(res.body.staff).toEqual([]);
    const before = await countEvents(t);
    const body = { schoolId: schoolA, title: 'X', code: 'X-1', subject: 'S', selfEnrolment: { enabled: false } };
    expect((await http().post('/api/v1/courses').set(learner1.auth).send(body).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await http().post('/api/v1/courses').set(teacherB.auth).send(body).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await http().post('/api/v1/courses').set(teacher.auth).send({ ...body, schoolId: null }).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await http().post('/api/v1/courses').set(teacher.auth).send({ ...body, code: 'has spaces' }).expect(400)).body.error.code).toBe('COURSE_INVALID');
    expect((await http().post('/api/v1/courses').set(teacher.auth).send({ ...body, title: 42 }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await http().post('/api/v1/courses').set(teacher.auth).send({ ...body, enrolmentPeriod: { startsAt: 'tomorrow' } }).expect(400)).body.error.code).toBe('COURSE_INVALID');
    await http().post('/api/v1/courses').send(body).expect(401);
    expect(await countEvents(t)).toBe(before);
  });

  it('adds, renames, reorders and removes sections and resources; learners see visible resources only', async () => {
    const courseId = await createCourse(teacher);
    const week2 = await addSection(teacher, courseId, 'Week 2');
    const week1 = await addSection(teacher, courseId, 'Week 1', 0);
    const intro = await addPage(teacher, courseId, week1, 'Introduction');
    const draft = await addPage(teacher, courseId, week1, 'Answers', false);
    const link = (
      await http()
        .post(`/api/v1/courses/${courseId}/resources`)
        .set(teacher.auth)
        .send({ sectionId: week2, kind: 'url', title: 'Reading', content: { url: 'https://example.org/read' } })
        .expect(201)
    ).body.resourceId;
    await http().patch(`/api/v1/courses/${courseId}/sections/${week1}`).set(teacher.auth).send({ title: 'Week one' }).expect(204);
    await http().patch(`/api/v1/courses/${courseId}/resources/${intro}`).set(teacher.auth).send({ title: 'Welcome', content: { body: '<p>Hi</p>' } }).expect(204);
    const wrongKind = await http().patch(`/api/v1/courses/${courseId}/resources/${link}`).set(teacher.auth).send({ content: { body: 'not a url' } }).expect(400);
    expect(wrongKind.body.error.code).toBe('COURSE_INVALID');

    await enrol(teacher, courseId, learner1);
    const asLearner = await http().get(`/api/v1/courses/${courseId}`).set(learner1.auth).expect(200);
    expect(asLearner.body.sections).toEqual([
      { sectionId: week1, title: 'Week one', position: 0, resources: [{ resourceId: intro, kind: 'page', title: 'Welcome', visible: true, position: 0 }], activities: [] },
      { sectionId: week2, title: 'Week 2', position: 1, resources: [{ resourceId: link, kind: 'url', title: 'Reading', visible: true, position: 0 }], activities: [] },
    ]);
    expect((await http().get(`/api/v1/courses/${courseId}/resources/${draft}`).set(learner1.auth).expect(404)).body.error.code).toBe('RESOURCE_NOT_FOUND');
    expect((await http().get(`/api/v1/courses/${courseId}/resources/${draft}`).set(teacher.auth).expect(200)).body).toMatchObject({ title: 'Answers', visible: false });

    await http().post(`/api/v1/courses/${courseId}/resources/${draft}/visibility`).set(teacher.auth).send({ visible: true }).expect(204);
    expect((await http().get(`/api/v1/courses/${courseId}/resources/${draft}`).set(learner1.auth).expect(200)).body).toMatchObject({ content: { body: '<p>Answers</p>' } });
    await http().delete(`/api/v1/courses/${courseId}/resources/${intro}`).set(teacher.auth).expect(204);
    await http().put(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ sectionIds: [week2, week1] }).expect(204);
    const stale = await http().put(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ sectionIds: [week1] }).expect(409);
    expect(stale.body.error.code).toBe('SECTION_ORDER_MISMATCH');
    await http().delete(`/api/v1/courses/${courseId}/sections/${week2}`).set(teacher.auth).expect(204);
    const after = await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(after.body.sections).toEqual([
      { sectionId: week1, title: 'Week one', position: 0, resources: [{ resourceId: draft, kind: 'page', title: 'Answers', visible: true, position: 0 }], activities: [] },
    ]);
    expect((await db.query('SELECT count(*)::int AS n FROM course_resources WHERE resource_id = $1', [link])).rows[0].n).toBe(0);

    // A learner, even enrolled, cannot edit; unknown parts are 404s.
    expect((await http().post(`/api/v1/courses/${courseId}/sections`).set(learner1.auth).send({ title: 'Mine' }).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await http().patch(`/api/v1/courses/${courseId}/sections/${week2}`).set(teacher.auth).send({ title: 'Gone' }).expect(404)).body.error.code).toBe('SECTION_NOT_FOUND');
    await http().get(`/api/v1/courses/not-a-uuid`).set(teacher.auth).expect(400);
  });

  it('updates settings (only what changes) and replaces or removes the enrolment key', async () => {
    const courseId = await createCourse(teacher);
    await http().patch(`/api/v1/courses/${courseId}`).set(teacher.auth).send({ title: 'Maths 1', summary: null, selfEnrolment: { enabled: true, key: null } }).expect(204);
    const before = await countEvents(t);
    await http().patch(`/api/v1/courses/${courseId}`).set(teacher.auth).send({ title: 'Maths 1' }).expect(204);
    expect(await countEvents(t)).toBe(before);
    const res = await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(res.body).toMatchObject({ title: 'Maths 1', summary: null, selfEnrolment: { enabled: true, keyRequired: false } });
    expect((await http().patch(`/api/v1/courses/${courseId}`).set(teacher.auth).send({}).expect(400)).body.error.code).toBe('COURSE_INVALID');
  });
});

describe('course staff', () => {
  it('assigns teachers of the course\'s school only, and keeps the last editing teacher', async () => {
    const courseId = await createCourse(teacher);
    await http().put(`/api/v1/courses/${courseId}/teachers/${teacher2.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
    const before = await countEvents(t);
    for (const other of [teacherB, learner1, parent]) {
      const res = await http().put(`/api/v1/courses/${courseId}/teachers/${other.userId}`).set(teacher.auth).send({ role: 'teacher' }).expect(400);
      expect(res.body.error.code).toBe('UNKNOWN_TEACHER');
    }
    expect((await http().delete(`/api/v1/courses/${courseId}/teachers/${teacher.userId}`).set(teacher.auth).expect(422)).body.error.code).toBe('LAST_TEACHER');
    // A non-editing teacher teaches (sees participants) but does not edit.
    expect((await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher2.auth).send({ title: 'No' }).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect(await countEvents(t)).toBe(before);
    await http().get(`/api/v1/courses/${courseId}/enrolments`).set(teacher2.auth).expect(200);
    await http().put(`/api/v1/courses/${courseId}/teachers/${teacher2.userId}`).set(teacher.auth).send({ role: 'teacher' }).expect(204);
    await http().delete(`/api/v1/courses/${courseId}/teachers/${teacher.userId}`).set(teacher2.auth).expect(204);
    const res = await http().get(`/api/v1/courses/${courseId}`).set(teacher2.auth).expect(200);
    expect(res.body.staff).toEqual([{ userId: teacher2.userId, role: 'teacher' }]);
    await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Not mine any more' }).expect(403);
  });
});

describe('enrolments', () => {
  let courseId: string;
  beforeAll(async () => {
    courseId = await createCourse(teacher);
  });

  it('enrols a learner of the school once: a second time is 409 ENROLMENT_EXISTS and appends nothing', async () => {
    const res = await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner1.userId }).expect(201);
    expect(res.body).toMatchObject({ courseId, learnerId: learner1.userId });
    const [enrolled] = await streamEvents(`enrolment-${res.body.enrolmentId}`);
    expect(enrolled).toMatchObject({ type: 'LearnerEnrolled', metadata: { action: 'enrolled', crud: 'c', courseId, schoolId: schoolA, relatedUserId: learner1.userId, actorId: teacher.userId } });

    const before = await countEvents(t);
    const again = await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner1.userId }).expect(409);
    expect(again.body.error.code).toBe('ENROLMENT_EXISTS');
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses a learner of another school, a teacher, and an unknown id with 400 UNKNOWN_LEARNER; and callers who may not enrol', async () => {
    const before = await countEvents(t);
    for (const learnerId of [learnerB.userId, teacher2.userId, '3f0e8f3a-5b2c-4e1d-8f6a-9b0c1d2e3f40']) {
      const res = await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId }).expect(400);
      expect(res.body.error.code).toBe('UNKNOWN_LEARNER');
    }
    for (const caller of [learner1, teacherB, teacher2]) {
      await http().post(`/api/v1/courses/${courseId}/enrolments`).set(caller.auth).send({ learnerId: learner2.userId }).expect(403);
    }
    expect(await countEvents(t)).toBe(before);
  });

  it('enrols in bulk, idempotently, with a result for each learner', async () => {
    const learnerIds = [learner1.userId, learner2.userId, learner3.userId, learnerB.userId, learner2.userId];
    const first = await http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(schoolAdmin.auth).send({ learnerIds }).expect(200);
    expect(first.body).toMatchObject({ courseId, enrolled: 2, alreadyEnrolled: 1, refused: 1 });
    expect(first.body.results).toEqual([
      { row: 0, learnerId: learner1.userId, status: 'already_enrolled' },
      { row: 1, learnerId: learner2.userId, status: 'enrolled' },
      { row: 2, learnerId: learner3.userId, status: 'enrolled' },
      expect.objectContaining({ row: 3, learnerId: learnerB.userId, status: 'refused', code: 'UNKNOWN_LEARNER' }),
    ]);
    const before = await countEvents(t);
    const second = await http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(schoolAdmin.auth).send({ learnerIds }).expect(200);
    expect(second.body).toMatchObject({ enrolled: 0, alreadyEnrolled: 3, refused: 1 });
    expect(await countEvents(t)).toBe(before);

    const participants = await http().get(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).expect(200);
    expect(participants.body.participants.map((p: { learnerId: string }) => p.learnerId).sort()).toEqual([learner1.userId, learner2.userId, learner3.userId].sort());
    expect(participants.body.participants[0]).toMatchObject({ displayName: 'Learner of A', status: 'active' });
  });

  it('lets a learner of the school enrol themself with the key: a wrong key is 403 and appends nothing', async () => {
    const before = await countEvents(t);
    for (const body of [{ key: 'wrong-key' }, {}]) {
      const res = await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(selfLearner.auth).send(body).expect(403);
      expect(res.body.error.code).toBe('ENROLMENT_KEY_INVALID');
    }
    // Others who can see the course are not its learners.
    for (const caller of [teacher2, schoolAdmin]) {
      expect((await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(caller.auth).send({ key: KEY }).expect(403)).body.error.code).toBe('FORBIDDEN');
    }
    await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(learnerB.auth).send({ key: KEY }).expect(403);
    expect(await countEvents(t)).toBe(before);

    const res = await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(selfLearner.auth).send({ key: KEY }).expect(201);
    expect(res.body.learnerId).toBe(selfLearner.userId);
    expect((await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(selfLearner.auth).send({ key: KEY }).expect(409)).body.error.code).toBe('ENROLMENT_EXISTS');
    const catalogue = await http().get('/api/v1/courses?mine=true').set(selfLearner.auth).expect(200);
    expect(catalogue.body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([courseId]);
    expect(catalogue.body.courses[0].viewer).toEqual({ role: null, enrolled: true });
  });

  it('refuses self-enrolment where the course does not accept it', async () => {
    const closed = await createCourse(teacher, { selfEnrolment: { enabled: false } });
    const res = await http().post(`/api/v1/courses/${closed}/enrolments/self`).set(learner1.auth).send({}).expect(403);
    expect(res.body.error.code).toBe('SELF_ENROLMENT_DISABLED');
  });

  it('unenrols: staff with a reason (sealed in the log); a learner only from a course they enrolled in themself', async () => {
    expect((await http().delete(`/api/v1/courses/${courseId}/enrolments/${learner1.userId}`).set(learner1.auth).expect(403)).body.error.code).toBe('FORBIDDEN');
    await http().delete(`/api/v1/courses/${courseId}/enrolments/${learner2.userId}`).set(learner1.auth).expect(403);
    await http().delete(`/api/v1/courses/${courseId}/enrolments/${selfLearner.userId}`).set(selfLearner.auth).expect(204);
    await http().delete(`/api/v1/courses/${courseId}/enrolments/${learner3.userId}`).set(teacher.auth).send({ reason: 'Moved to the evening class' }).expect(204);
    expect((await http().delete(`/api/v1/courses/${courseId}/enrolments/${learner3.userId}`).set(teacher.auth).expect(409)).body.error.code).toBe('NOT_ENROLLED');

    const { rows } = await db.query(`SELECT data, metadata FROM events WHERE event_type = 'LearnerUnenrolled' AND data->>'learnerId' = $1`, [learner3.userId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('evening class');
    expect(rows[0].metadata).toMatchObject({ action: 'unenrolled', crud: 'd', relatedUserId: learner3.userId });

    const all = await http().get(`/api/v1/courses/${courseId}/enrolments?includeUnenrolled=true`).set(teacher.auth).expect(200);
    expect(all.body.participants.find((p: { learnerId: string }) => p.learnerId === learner3.userId)).toMatchObject({ status: 'unenrolled' });
    const active = await http().get(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).expect(200);
    expect(active.body.participants.map((p: { learnerId: string }) => p.learnerId)).not.toContain(learner3.userId);
    // Enrolling again after leaving is a new enrolment.
    await enrol(teacher, courseId, learner3);
  });
});

describe('a platform-wide course', () => {
  it('is created by a platform admin, seen by everyone signed in, and open to anyone with an account', async () => {
    const courseId = await createCourse(admin, { schoolId: null, code: 'OPEN-1', title: 'Digital citizenship', selfEnrolment: { enabled: true } });
    for (const caller of [learnerB, parent, teacher]) {
      const list = await http().get('/api/v1/courses').set(caller.auth).expect(200);
      expect(list.body.courses.map((c: { courseId: string }) => c.courseId)).toContain(courseId);
    }
    await http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(learnerB.auth).send({}).expect(201);
    await http().post(`/api/v1/courses/${courseId}/enrolments`).set(admin.auth).send({ learnerId: parent.userId }).expect(201);
    const participants = await http().get(`/api/v1/courses/${courseId}/enrolments`).set(admin.auth).expect(200);
    expect(participants.body.participants).toHaveLength(2);
    // Teachers of a school do not run it.
    await http().get(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).expect(403);
    await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Mine' }).expect(403);
  });
});

describe('an archived course', () => {
  it('refuses changes and enrolments with 422 COURSE_ARCHIVED until it is restored', async () => {
    const courseId = await createCourse(teacher);
    const sectionId = await addSection(teacher, courseId, 'Week 1');
    await http().post(`/api/v1/courses/${courseId}/archive`).set(teacher.auth).expect(204);
    const before = await countEvents(t);
    const attempts = [
      http().patch(`/api/v1/courses/${courseId}`).set(teacher.auth).send({ title: 'New' }),
      http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 2' }),
      http().patch(`/api/v1/courses/${courseId}/sections/${sectionId}`).set(teacher.auth).send({ title: 'W1' }),
      http().post(`/api/v1/courses/${courseId}/archive`).set(teacher.auth),
      http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner1.userId }),
      http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [learner1.userId] }),
      http().post(`/api/v1/courses/${courseId}/enrolments/self`).set(learner2.auth).send({ key: KEY }),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 422, code: 'COURSE_ARCHIVED' });
    }
    expect(await countEvents(t)).toBe(before);
    // Still readable; out of the default catalogue.
    expect((await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200)).body.archived).toBe(true);
    expect((await http().get('/api/v1/courses').set(teacher.auth).expect(200)).body.courses.map((c: { courseId: string }) => c.courseId)).not.toContain(courseId);
    expect((await http().get('/api/v1/courses?includeArchived=true').set(teacher.auth).expect(200)).body.courses.map((c: { courseId: string }) => c.courseId)).toContain(courseId);

    await http().post(`/api/v1/courses/${courseId}/restore`).set(teacher.auth).expect(204);
    expect((await http().post(`/api/v1/courses/${courseId}/restore`).set(teacher.auth).expect(409)).body.error.code).toBe('COURSE_NOT_ARCHIVED');
    await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 2' }).expect(201);
  });
});

describe('concurrency', () => {
  it('lands every one of several concurrent changes to one course (retry on conflict)', async () => {
    const courseId = await createCourse(teacher);
    const titles = ['Alpha', 'Beta', 'Gamma'];
    const responses = await Promise.all(titles.map((title) => http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title })));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const events = await streamEvents(`course-${courseId}`);
    expect(events.filter((e) => e.type === 'CourseSectionAdded').map((e) => e.data.title).sort()).toEqual(titles);
    // One event per revision, positions 0, 1, 2 in the order they landed.
    expect(events.filter((e) => e.type === 'CourseSectionAdded').map((e) => e.data.position)).toEqual([0, 1, 2]);
    const course = await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect(course.body.sections.map((s: { title: string }) => s.title).sort()).toEqual(titles);
    expect(course.body.sections.map((s: { position: number }) => s.position)).toEqual([0, 1, 2]);
  });

  it('enrols concurrently without losing anyone', async () => {
    const courseId = await createCourse(teacher);
    const responses = await Promise.all([learner1, learner2, learner3].map((l) => http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: l.userId })));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const res = await http().get(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).expect(200);
    expect(res.body.participants).toHaveLength(3);
  });
});

describe('reads are actions', () => {
  it('records CourseViewed and ResourceViewed on the viewer\'s activity stream, for participants only', async () => {
    const courseId = await createCourse(teacher);
    const sectionId = await addSection(teacher, courseId, 'Week 1');
    const resourceId = await addPage(teacher, courseId, sectionId, 'Intro');
    await enrol(teacher, courseId, learner1);

    await http().get(`/api/v1/courses/${courseId}`).set(learner1.auth).set('User-Agent', 'e2e-reader/1.0').expect(200);
    await http().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(learner1.auth).expect(200);
    const views = await streamEvents(`activity-${learner1.userId}`);
    const courseViewed = views.find((e) => e.type === 'CourseViewed' && e.data.courseId === courseId)!;
    expect(courseViewed).toMatchObject({
      data: { courseId, userId: learner1.userId },
      metadata: { actorId: learner1.userId, action: 'viewed', crud: 'r', courseId, schoolId: schoolA, object: { type: 'course', id: courseId } },
    });
    expect(JSON.stringify(courseViewed.metadata)).not.toContain('e2e-reader');
    expect(views.find((e) => e.type === 'ResourceViewed' && e.data.resourceId === resourceId)).toMatchObject({
      data: { courseId, sectionId, resourceId, userId: learner1.userId },
      metadata: { action: 'viewed', crud: 'r', courseId, schoolId: schoolA, object: { type: 'resource', id: resourceId } },
    });

    // Staff views count too.
    await http().get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200);
    expect((await streamEvents(`activity-${teacher.userId}`)).some((e) => e.type === 'CourseViewed' && e.data.courseId === courseId)).toBe(true);

    // A learner of the school who is not enrolled sees the outline, not the contents, and no view is recorded.
    const before = await countEvents(t);
    await http().get(`/api/v1/courses/${courseId}`).set(bystander.auth).expect(200);
    expect((await http().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(bystander.auth).expect(403)).body.error.code).toBe('FORBIDDEN');
    await http().get(`/api/v1/courses/${courseId}/enrolments`).set(bystander.auth).expect(403);
    expect(await countEvents(t)).toBe(before);

    // The views reach the course log (once the projections have caught up: views are recorded without waiting for them).
    await t.app.get(ProjectionRunner).waitFor((await t.app.get<EventStore>(EVENT_STORE).headPosition())!);
    const { rows } = await db.query(`SELECT event_type FROM course_log WHERE course_id = $1 AND actor_id = $2 AND action = 'viewed'`, [courseId, learner1.userId]);
    expect(rows.map((r) => r.event_type).sort()).toEqual(['CourseViewed', 'ResourceViewed']);
  });
});

describe('who may read a course', () => {
  let courseId: string;
  let resourceId: string;
  const SECRET_TITLE = 'Secret Algebra Course';

  beforeAll(async () => {
    courseId = await createCourse(teacher, { title: SECRET_TITLE, code: 'SECRET-1' });
    const sectionId = await addSection(teacher, courseId, 'Week 1');
    resourceId = await addPage(teacher, courseId, sectionId, 'Intro');
    await enrol(teacher, courseId, learner1);
  });

  const readEndpoints = () => [`/api/v1/courses/${courseId}`, `/api/v1/courses/${courseId}/resources/${resourceId}`, `/api/v1/courses/${courseId}/enrolments`];

  it.each([
    ['a learner of another school', () => learnerB],
    ['a teacher of another school', () => teacherB],
    ['a parent linked to no learner', () => parent],
  ])('refuses %s on every read endpoint, with no data and nothing appended', async (_, who) => {
    const caller = who();
    const before = await countEvents(t);
    for (const path of readEndpoints()) {
      const res = await http().get(path).set(caller.auth);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      expect(JSON.stringify(res.body)).not.toContain(SECRET_TITLE);
    }
    const catalogue = await http().get('/api/v1/courses?includeArchived=true').set(caller.auth).expect(200);
    expect(JSON.stringify(catalogue.body)).not.toContain(courseId);
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses an anonymous caller with 401 everywhere', async () => {
    const before = await countEvents(t);
    for (const path of [...readEndpoints(), '/api/v1/courses']) {
      const res = await http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(JSON.stringify(res.body)).not.toContain(SECRET_TITLE);
    }
    expect(await countEvents(t)).toBe(before);
  });

  it('keeps a course of one school out of another school\'s catalogue even for its admin', async () => {
    const schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
    await http().get(`/api/v1/courses/${courseId}`).set(schoolAdminB.auth).expect(403);
    const list = await http().get(`/api/v1/courses?schoolId=${schoolA}`).set(schoolAdminB.auth).expect(200);
    expect(list.body.courses).toEqual([]);
    const own = await http().get('/api/v1/courses').set(learner1.auth).expect(200);
    expect(own.body.courses.find((c: { courseId: string }) => c.courseId === courseId)).toMatchObject({ title: SECRET_TITLE, viewer: { role: null, enrolled: true } });
  });

  it('lets a linked parent read their child\'s course, without recording a view', async () => {
    const linked = await registerUser(t);
    await http().post('/api/v1/parent-links').set(schoolAdmin.auth).send({ parentId: linked.userId, childId: learner1.userId }).expect(201);
    const before = await countEvents(t);
    expect((await http().get(`/api/v1/courses/${courseId}`).set(linked.auth).expect(200)).body.title).toBe(SECRET_TITLE);
    await http().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(linked.auth).expect(200);
    await http().get(`/api/v1/courses/${courseId}/enrolments`).set(linked.auth).expect(403);
    expect(await countEvents(t)).toBe(before);
  });

  it('accepts ids in upper case', async () => {
    await http().get(`/api/v1/courses/${courseId.toUpperCase()}`).set(teacher.auth).expect(200);
  });
});

describe('the OpenAPI document', () => {
  it('documents the course and enrolment endpoints with their error codes', async () => {
    const res = await http().get('/docs-json').expect(200);
    const paths = res.body.paths as Record<string, Record<string, { tags: string[]; responses: Record<string, { description?: string }> }>>;
    for (const path of ['/api/v1/courses', '/api/v1/courses/{id}', '/api/v1/courses/{id}/sections/{sectionId}', '/api/v1/courses/{id}/resources/{resourceId}/visibility', '/api/v1/courses/{id}/teachers/{userId}', '/api/v1/courses/{id}/enrolments/bulk', '/api/v1/courses/{id}/enrolments/self']) {
      expect(Object.keys(paths)).toContain(path);
    }
    expect(paths['/api/v1/courses/{id}/enrolments/self'].post.responses['403'].description).toContain('ENROLMENT_KEY_INVALID');
    expect(paths['/api/v1/courses/{id}/enrolments'].post.responses['400'].description).toContain('UNKNOWN_LEARNER');
    expect(paths['/api/v1/courses/{id}/sections'].post.responses['422'].description).toContain('COURSE_ARCHIVED');
    expect(paths['/api/v1/courses'].get.tags).toEqual(['courses']);
  });
});
