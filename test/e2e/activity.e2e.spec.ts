/**
 * POST /api/v1/activity over HTTP: the vocabulary and its validation (a batch
 * is all or nothing), idempotent retries by client event id, who may record
 * activity in a course, the envelope the events get, and 429 with Retry-After
 * when the write queue is full.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { loadConfig } from '../../libs/config/src';
import { TestClock } from '../../libs/domain/src';
import { EventLog } from '../../libs/event-store/src';
import { createApp } from '../../apps/api/src/create-app';
import { asIs, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, testEnv, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

interface World {
  t: TestApp;
  teacher: Session;
  learner: Session;
  outsider: Session;
  courseId: string;
  video: string;
  page: string;
  file: string;
  hidden: string;
}

const http = (t: TestApp) => request(t.app.getHttpServer());

/** A school, a teacher's course with a video, a page, a file and a hidden page; one learner enrolled, one not. */
async function buildWorld(t: TestApp): Promise<World> {
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Activity School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  const teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  const [learner, outsider] = await Promise.all([openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' }), openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' })]);
  const course = await http(t).post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Biology', code: 'BIO-1', subject: 'Biology', selfEnrolment: { enabled: false } }).expect(201);
  const courseId = course.body.courseId as string;
  const section = await http(t).post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201);
  const sectionId = (section.body.sectionId ?? (await http(t).get(`/api/v1/courses/${courseId}`).set(teacher.auth).expect(200)).body.sections[0].sectionId) as string;
  const add = async (body: Record<string, unknown>) =>
    (await http(t).post(`/api/v1/courses/${courseId}/resources`).set(teacher.auth).send({ sectionId, ...body }).expect(201)).body.resourceId as string;
  const video = await add({ kind: 'video', title: 'Mitosis', content: { url: 'https://video.example/mitosis', durationSeconds: 600 } });
  const page = await add({ kind: 'page', title: 'Reading', content: { body: '<p>Cells</p>' } });
  const file = await add({ kind: 'file', title: 'Worksheet', content: { fileRef: 'files/worksheet', mimeType: 'application/pdf', sizeBytes: 1024 } });
  const hidden = await add({ kind: 'page', title: 'Answers', content: { body: '<p>Secret</p>' }, visible: false });
  await http(t).post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
  return { t, teacher, learner, outsider, courseId, video, page, file, hidden };
}

async function streamCount(t: TestApp, userId: string): Promise<number> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    return (await client.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`activity-${userId}`])).rows[0].n;
  } finally {
    await client.end();
  }
}

describe('POST /api/v1/activity', () => {
  let w: World;
  const post = (who: Session, body: unknown) => http(w.t).post('/api/v1/activity').set(who.auth).set('User-Agent', 'LearnstreamApp/2.1 (Android 14)').send(body as object);
  const progressed = (extra: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'VideoProgressed', courseId: w.courseId, resourceId: w.video, positionSeconds: 30, durationSeconds: 600, ...extra });

  beforeAll(async () => {
    w = await buildWorld(await createTestApp());
  }, 120_000);
  afterAll(() => w.t.close());

  it('records one event on the learner’s activity stream with the full envelope, IP and user agent sealed', async () => {
    const item = progressed({ positionSeconds: 42.5 });
    const res = await post(w.learner, item).set('X-Request-Id', `activity-${item.id}`).expect(201);
    expect(res.body).toMatchObject({ received: 1, recorded: 1, duplicates: 0, duplicateIds: [] });
    const client = new pg.Client({ connectionString: w.t.db.url });
    await client.connect();
    const { rows } = await client.query('SELECT stream_id, event_type, data, metadata FROM events WHERE event_id = $1', [item.id]);
    await client.end();
    expect(rows[0]).toMatchObject({ stream_id: `activity-${w.learner.userId}`, event_type: 'VideoProgressed' });
    expect(rows[0].data).toEqual({ courseId: w.courseId, resourceId: w.video, positionSeconds: 42.5, durationSeconds: 600, userId: w.learner.userId });
    // In clear: ids and the verb only; the IP and the user agent are sealed.
    expect(rows[0].metadata).toMatchObject({ actorId: w.learner.userId, courseId: w.courseId, action: 'progressed', crud: 'r', object: { type: 'resource', id: w.video }, origin: 'web' });
    expect(rows[0].metadata.schoolId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(rows[0].metadata)).not.toContain('Android');
    const [event] = await (async () => {
      const out = [];
      for await (const e of w.t.app.get(EventLog).readStream(`activity-${w.learner.userId}`)) if (e.id === item.id) out.push(e);
      return out;
    })();
    expect(event.envelope).toMatchObject({ userAgent: 'LearnstreamApp/2.1 (Android 14)', ip: expect.stringMatching(/127\.0\.0\.1|::1/), correlationId: `activity-${item.id}` });
  });

  it('records a batch of every type of the vocabulary; ResourceViewed gets its section from the course', async () => {
    const items = [
      { id: randomUUID(), type: 'CourseViewed', courseId: w.courseId },
      { id: randomUUID(), type: 'ResourceViewed', courseId: w.courseId, resourceId: w.page },
      progressed(),
      { id: randomUUID(), type: 'VideoCompleted', courseId: w.courseId, resourceId: w.video, durationSeconds: 600 },
      { id: randomUUID(), type: 'PageTimeRecorded', courseId: w.courseId, resourceId: w.page, seconds: 95 },
      { id: randomUUID(), type: 'FileDownloaded', courseId: w.courseId, resourceId: w.file },
    ];
    const res = await post(w.learner, { events: items }).expect(201);
    expect(res.body).toMatchObject({ received: 6, recorded: 6, duplicates: 0 });
    const client = new pg.Client({ connectionString: w.t.db.url });
    await client.connect();
    const { rows } = await client.query('SELECT event_type, data FROM events WHERE event_id = ANY($1) ORDER BY stream_revision', [items.map((i) => i.id)]);
    await client.end();
    expect(rows.map((r) => r.event_type)).toEqual(['CourseViewed', 'ResourceViewed', 'VideoProgressed', 'VideoCompleted', 'PageTimeRecorded', 'FileDownloaded']);
    expect(rows[1].data.sectionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a batch with any invalid item, naming each problem by index and field, and records none of it', async () => {
    const before = await streamCount(w.t, w.learner.userId);
    const dup = randomUUID();
    const res = await post(w.learner, {
      events: [
        progressed(),
        progressed({ positionSeconds: 700 }), // past the end
        { id: 'not-a-uuid', type: 'CourseViewed', courseId: w.courseId },
        { id: randomUUID(), type: 'Teleported', courseId: w.courseId },
        { id: randomUUID(), type: 'PageTimeRecorded', courseId: w.courseId, resourceId: w.page, seconds: -3, note: 'x' },
        { id: dup, type: 'CourseViewed', courseId: w.courseId },
        { id: dup, type: 'CourseViewed', courseId: w.courseId },
      ],
    }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { index: 1, field: 'positionSeconds', message: 'must not be past durationSeconds' },
        expect.objectContaining({ index: 2, field: 'id' }),
        expect.objectContaining({ index: 3, field: 'type' }),
        expect.objectContaining({ index: 4, field: 'seconds' }),
        expect.objectContaining({ index: 4, field: 'note' }),
        { index: 6, field: 'id', message: 'repeats the id of item 5' },
      ]),
    );
    expect(res.body.error.details.some((d: { index: number }) => d.index === 0)).toBe(false);
    // A resource of the wrong kind, or not of this course, is refused too.
    const wrongKind = await post(w.learner, { events: [progressed(), progressed({ resourceId: w.page })] }).expect(400);
    expect(wrongKind.body.error.details).toEqual([{ index: 1, field: 'resourceId', message: 'is a page: VideoProgressed needs a video' }]);
    await post(w.learner, progressed({ resourceId: randomUUID() })).expect(400);
    await post(w.learner, { events: [] }).expect(400);
    await post(w.learner, { events: Array.from({ length: 1001 }, () => ({ id: randomUUID(), type: 'CourseViewed', courseId: w.courseId })) }).expect(400);
    expect(await streamCount(w.t, w.learner.userId)).toBe(before);
  });

  it('counts a retried batch once, whole or overlapping, and tells which items were already recorded', async () => {
    const batch = Array.from({ length: 3 }, (_, i) => progressed({ positionSeconds: 10 * i }));
    const before = await streamCount(w.t, w.learner.userId);
    await post(w.learner, { events: batch }).expect(201);
    const retry = await post(w.learner, { events: batch }).expect(200);
    expect(retry.body).toMatchObject({ received: 3, recorded: 0, duplicates: 3, duplicateIds: batch.map((b) => b.id) });
    const overlapping = await post(w.learner, { events: [...batch.slice(1), progressed({ positionSeconds: 99 })] }).expect(201);
    expect(overlapping.body).toMatchObject({ received: 3, recorded: 1, duplicates: 2 });
    // The same request sent five times at once (a client retrying on a timeout) is recorded once.
    const racing = Array.from({ length: 4 }, () => progressed());
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(w.learner, { events: racing })));
    expect(answers.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    expect(answers.reduce((n, a) => n + a.body.recorded, 0)).toBe(4);
    expect(await streamCount(w.t, w.learner.userId)).toBe(before + 3 + 1 + 4);
  });

  it('lets the course’s enrolled learners and staff record activity, and nobody else', async () => {
    await post(w.outsider, progressed()).expect(403);
    await post(w.teacher, progressed()).expect(201);
    // A hidden resource exists for its staff only.
    await post(w.teacher, { id: randomUUID(), type: 'PageTimeRecorded', courseId: w.courseId, resourceId: w.hidden, seconds: 5 }).expect(201);
    const hidden = await post(w.learner, { id: randomUUID(), type: 'PageTimeRecorded', courseId: w.courseId, resourceId: w.hidden, seconds: 5 }).expect(400);
    expect(hidden.body.error.details).toEqual([{ index: 0, field: 'resourceId', message: 'is not a resource of this course' }]);
    await post(w.learner, { id: randomUUID(), type: 'CourseViewed', courseId: randomUUID() }).expect(403);
    await http(w.t).post('/api/v1/activity').send(progressed()).expect(401);
    expect(await streamCount(w.t, w.outsider.userId)).toBe(0);
  });

  it('answers a body it cannot read as every route does: 400 VALIDATION_FAILED (JSON that does not parse, bytes that are not UTF-8), 413 past the limit', async () => {
    const send = (body: Buffer | string) => http(w.t).post('/api/v1/activity').set(w.learner.auth).set('Content-Type', 'application/json').serialize(asIs).send(body);
    const before = await streamCount(w.t, w.learner.userId);
    expect((await send('{"id":').expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    const latin = Buffer.concat([Buffer.from(JSON.stringify({ id: randomUUID(), type: 'CourseViewed', courseId: w.courseId }).slice(0, -1) + ',"note":"'), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect((await send(latin).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('UTF-8') });
    expect((await send(Buffer.alloc(30 * 1024 * 1024, 0x20)).expect(413)).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await streamCount(w.t, w.learner.userId)).toBe(before);
  });

  it('takes a batch of 1,000 items (past the default 100 kB JSON limit) in one request', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => progressed({ positionSeconds: i % 600 }));
    expect(JSON.stringify({ events }).length).toBeGreaterThan(150_000);
    const res = await post(w.learner, { events }).expect(201);
    expect(res.body).toMatchObject({ received: 1000, recorded: 1000 });
  });

  it('is documented in OpenAPI with its vocabulary', async () => {
    const doc = await http(w.t).get('/docs-json').expect(200);
    const op = doc.body.paths['/api/v1/activity'].post;
    expect(op.description).toContain('`VideoProgressed` {courseId, resourceId, positionSeconds, durationSeconds}');
    expect(op.responses['429']).toBeDefined();
  });
});

describe('POST /api/v1/activity under overload', () => {
  let w: World;

  beforeAll(async () => {
    // A tiny queue that holds its requests a while: the 4th event in flight is refused.
    const db = await createTestDatabase();
    const config = loadConfig(testEnv(db.url));
    Object.assign(config, { activity: { queueMaxEvents: 3, lingerMs: 400 } });
    const clock = new TestClock();
    const app = await createApp(config, db.url, false, { clock });
    await app.init();
    w = await buildWorld({ app, config, db, opsToken: config.opsToken, clock, close: async () => (await app.close(), await db.drop()) });
  }, 120_000);
  afterAll(() => w.t.close());

  it('answers 429 with Retry-After at once instead of queueing past its bound, and records nothing of a refused request', async () => {
    const items = Array.from({ length: 10 }, () => ({ id: randomUUID(), type: 'CourseViewed', courseId: w.courseId }));
    // Warm the access check so that all ten reach the queue together.
    await http(w.t).post('/api/v1/activity').set(w.learner.auth).send({ id: randomUUID(), type: 'CourseViewed', courseId: w.courseId }).expect(201);
    const before = await streamCount(w.t, w.learner.userId);
    const answers = await Promise.all(items.map((item) => http(w.t).post('/api/v1/activity').set(w.learner.auth).send(item)));
    const refused = answers.filter((a) => a.status === 429);
    const recorded = answers.filter((a) => a.status === 201);
    expect(recorded.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThan(0);
    expect(recorded.length + refused.length).toBe(10);
    for (const r of refused) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body.error.code).toBe('OVERLOADED');
    }
    expect(await streamCount(w.t, w.learner.userId)).toBe(before + recorded.length);
    // The client sends the refused ones again, later, one by one: everything is recorded exactly once.
    for (const [i, a] of answers.entries()) if (a.status === 429) await http(w.t).post('/api/v1/activity').set(w.learner.auth).send(items[i]).expect(201);
    for (const item of items) await http(w.t).post('/api/v1/activity').set(w.learner.auth).send(item).expect(200);
    expect(await streamCount(w.t, w.learner.userId)).toBe(before + 10);
  }, 60_000);
});
