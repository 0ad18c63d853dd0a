/**
 * The course log over HTTP (Moodle's logs and live logs reports): what the
 * test did to a course, it finds in the log, newest first, with names; each
 * filter keeps exactly the rows the test expects from the commands it sent;
 * keyset pages neither repeat nor lose a row; the CSV export is the same rows,
 * properly escaped; the live tail sends the last rows, then new ones as they
 * happen, and stops when the client goes; only those who teach the course
 * read it, and every read is recorded as CourseLogViewed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import request from 'supertest';
import { LiveTails, type CourseLogRow } from '../../libs/reports/src';
import { countEvents, createSchool, openAccount, signIn, signInAdmin, type Session } from '../support/auth';
import { caughtUp } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
let port: number;
const api = () => request(t.app.getHttpServer());

let admin: Session;
let schoolA: string;
let schoolB: string;
let schoolAdminA: Session;
let schoolAdminB: Session;
let teacher: Session;
let nonEditing: Session;
let otherTeacher: Session;
let l1: Session;
let l2: Session;
let l3: Session;
let courseId: string;
let resourceId: string;
let sectionId: string;

const TRICKY_NAME = '=Lee, "Ann"\nSecond line';
const today = new Date().toISOString().slice(0, 10);
const dayAfter = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** What the test expects in the log, in the order it did it (CourseLogViewed rows are checked apart). */
interface Expected {
  eventType: string;
  action: string;
  crud: string;
  objectType: string;
  objectId: string;
  actorId: string;
  relatedUserId: string | null;
}
const expected: Expected[] = [];
const did = (e: Expected) => expected.push(e);

interface Row {
  eventId: string;
  occurredAt: string;
  eventType: string;
  action: string;
  crud: string;
  object: { type: string; id: string; title?: string | null } | null;
  origin: string;
  schoolId: string | null;
  actor: { userId: string; displayName: string | null } | null;
  realActor: unknown;
  relatedUser: { userId: string; displayName: string | null } | null;
}

const shape = (r: Row): Expected => ({
  eventType: r.eventType,
  action: r.action,
  crud: r.crud,
  objectType: r.object!.type,
  objectId: r.object!.id,
  actorId: r.actor!.userId,
  relatedUserId: r.relatedUser?.userId ?? null,
});
const withoutReads = (rows: Row[]) => rows.filter((r) => r.eventType !== 'CourseLogViewed');
const newestFirst = (rows: Expected[]) => [...rows].reverse();

/** Waits until every projection has applied every event appended so far. */
const settle = () => caughtUp(t);

async function logs(who: Session, query = '', course = courseId): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const res = await api().get(`/api/v1/courses/${course}/logs${query ? `?${query}` : ''}`).set(who.auth);
  if (res.status !== 200) throw new Error(`GET logs ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** RFC 4180, written here independently of the exporter. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

interface SseEvent {
  id?: string;
  event: string;
  /** A course-log row for `log` events (the other events carry no row). */
  data: CourseLogRow;
}

/** A raw text/event-stream client: collects events until closed. */
function openLive(path: string, headers: Record<string, string>) {
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let statusCode = 0;
  let contentType = '';
  let buffer = '';
  const req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      statusCode = res.statusCode ?? 0;
      contentType = String(res.headers['content-type'] ?? '');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const at = line.indexOf(': ');
            if (at > 0) fields[line.slice(0, at)] = (fields[line.slice(0, at)] ? `${fields[line.slice(0, at)]}\n` : '') + line.slice(at + 2);
          }
          if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
          for (const wake of waiters) wake();
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', reject);
  });
  return {
    events,
    opened,
    status: () => statusCode,
    contentType: () => contentType,
    /**
     * Resolves with the first event that matches, or fails after `ms`: a ceiling, not an expectation (rows come
     * through the asynchronous course-log projection, which a loaded machine can hold back for seconds).
     */
    async waitFor(match: (e: SseEvent) => boolean, ms = WAIT_CEILING_MS): Promise<SseEvent> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event in ${ms} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data?.eventType]))}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, 100);
          waiters.add(wake);
        });
      }
    },
    close: () => req.destroy(),
  };
}

/** How long a test waits for something that will happen (a row, a closed tail) before it gives up. */
const WAIT_CEILING_MS = 60_000;

async function tailsClosed(): Promise<void> {
  const tails = t.app.get(LiveTails);
  const deadline = Date.now() + WAIT_CEILING_MS;
  while (tails.open > 0) {
    if (Date.now() > deadline) throw new Error(`${tails.open} live tails still open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await createTestApp();
  const server: http.Server = t.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'School A');
  schoolB = await createSchool(t, admin, 'School B');
  schoolAdminA = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  schoolAdminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher', displayName: 'Teacher Tan' });
  nonEditing = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher' });
  otherTeacher = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher' });
  l1 = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'learner', displayName: 'Learner One' });
  l2 = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'learner', displayName: TRICKY_NAME });
  l3 = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'learner', displayName: 'Learner Three' });

  // The course, built and used; each command's events go to `expected`.
  courseId = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: schoolA, title: 'Biology', code: 'BIO-1', subject: 'Science', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  did({ eventType: 'CourseCreated', action: 'created', crud: 'c', objectType: 'course', objectId: courseId, actorId: teacher.userId, relatedUserId: null });
  did({ eventType: 'CourseTeacherAssigned', action: 'assigned', crud: 'c', objectType: 'user', objectId: teacher.userId, actorId: teacher.userId, relatedUserId: teacher.userId });
  await api().put(`/api/v1/courses/${courseId}/teachers/${nonEditing.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
  did({ eventType: 'CourseTeacherAssigned', action: 'assigned', crud: 'c', objectType: 'user', objectId: nonEditing.userId, actorId: teacher.userId, relatedUserId: nonEditing.userId });
  sectionId = (await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Cells' }).expect(201)).body.sectionId;
  did({ eventType: 'CourseSectionAdded', action: 'created', crud: 'c', objectType: 'section', objectId: sectionId, actorId: teacher.userId, relatedUserId: null });
  resourceId = (
    await api().post(`/api/v1/courses/${courseId}/resources`).set(teacher.auth).send({ sectionId, kind: 'page', title: 'The cell', content: { body: '<p>Cells</p>' } }).expect(201)
  ).body.resourceId;
  did({ eventType: 'CourseResourceAdded', action: 'created', crud: 'c', objectType: 'resource', objectId: resourceId, actorId: teacher.userId, relatedUserId: null });
  for (const learner of [l1, l2, l3]) {
    const res = await api().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
    did({ eventType: 'LearnerEnrolled', action: 'enrolled', crud: 'c', objectType: 'enrolment', objectId: res.body.enrolmentId, actorId: teacher.userId, relatedUserId: learner.userId });
  }
  const viewCourse = async (who: Session) => {
    await api().get(`/api/v1/courses/${courseId}`).set(who.auth).expect(200);
    did({ eventType: 'CourseViewed', action: 'viewed', crud: 'r', objectType: 'course', objectId: courseId, actorId: who.userId, relatedUserId: null });
  };
  const viewResource = async (who: Session) => {
    await api().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(who.auth).expect(200);
    did({ eventType: 'ResourceViewed', action: 'viewed', crud: 'r', objectType: 'resource', objectId: resourceId, actorId: who.userId, relatedUserId: null });
  };
  await viewCourse(l1);
  await viewResource(l1);
  await viewCourse(l1);
  await viewResource(l2);
  await viewResource(l2);
  await viewCourse(l3);
  await api().patch(`/api/v1/courses/${courseId}`).set(teacher.auth).send({ title: 'Biology 1' }).expect(204);
  did({ eventType: 'CourseUpdated', action: 'updated', crud: 'u', objectType: 'course', objectId: courseId, actorId: teacher.userId, relatedUserId: null });
  const enrolmentOfL3 = expected.find((e) => e.eventType === 'LearnerEnrolled' && e.relatedUserId === l3.userId)!.objectId;
  await api().delete(`/api/v1/courses/${courseId}/enrolments/${l3.userId}`).set(teacher.auth).send({ reason: 'Changed class' }).expect(204);
  did({ eventType: 'LearnerUnenrolled', action: 'unenrolled', crud: 'd', objectType: 'enrolment', objectId: enrolmentOfL3, actorId: teacher.userId, relatedUserId: l3.userId });

  // Another course of the same school, with its own teacher.
  await api().post('/api/v1/courses').set(otherTeacher.auth).send({ schoolId: schoolA, title: 'Chemistry', code: 'CHEM-1', subject: 'Science', selfEnrolment: { enabled: false } }).expect(201);
  await settle();
}, 180_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('reading the log', () => {
  it('lists what happened in the course, newest first, with the names of the actor and the person affected', async () => {
    const { rows, nextCursor } = await logs(teacher, 'limit=500');
    expect(nextCursor).toBeNull();
    expect(withoutReads(rows).map(shape)).toEqual(newestFirst(expected));
    const times = rows.map((r) => r.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);

    const enrolled = rows.find((r) => r.eventType === 'LearnerEnrolled' && r.relatedUser?.userId === l1.userId)!;
    expect(enrolled).toMatchObject({
      origin: 'web',
      schoolId: schoolA,
      actor: { userId: teacher.userId, displayName: 'Teacher Tan' },
      realActor: null,
      relatedUser: { userId: l1.userId, displayName: 'Learner One' },
    });
    expect(rows.find((r) => r.eventType === 'ResourceViewed' && r.actor?.userId === l2.userId)!.actor!.displayName).toBe(TRICKY_NAME);
    // The title of what each row is about, as it is now (the course was renamed); none for what has no title.
    const titles = new Map(rows.filter((r) => r.object).map((r) => [`${r.object!.type}:${r.object!.id}`, (r.object as { title: string | null }).title]));
    expect(titles.get(`course:${courseId}`)).toBe('Biology 1');
    expect(titles.get(`section:${sectionId}`)).toBe('Cells');
    expect(titles.get(`resource:${resourceId}`)).toBe('The cell');
    const untitled = [...titles].filter(([key]) => /^(enrolment|user):/.test(key));
    expect(untitled.length).toBeGreaterThan(0);
    expect(untitled.filter(([, title]) => title !== null)).toEqual([]);
    // Nothing of the other course.
    expect(rows.every((r) => r.schoolId === schoolA)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('CHEM-1');
  });

  it('keeps exactly the rows each filter selects', async () => {
    const only = async (query: string) => withoutReads((await logs(teacher, `limit=500&${query}`)).rows).map(shape);
    const where = (keep: (e: Expected) => boolean) => newestFirst(expected.filter(keep));

    expect(await only(`user=${l1.userId}`)).toEqual(where((e) => e.actorId === l1.userId || e.relatedUserId === l1.userId));
    expect(await only(`user=${l3.userId.toUpperCase()}`)).toEqual(where((e) => e.actorId === l3.userId || e.relatedUserId === l3.userId));
    expect(await only('action=viewed')).toEqual(where((e) => e.action === 'viewed'));
    expect(await only('eventType=ResourceViewed')).toEqual(where((e) => e.eventType === 'ResourceViewed'));
    expect(await only(`objectType=resource&objectId=${resourceId}`)).toEqual(where((e) => e.objectType === 'resource' && e.objectId === resourceId));
    expect(await only('objectType=enrolment')).toEqual(where((e) => e.objectType === 'enrolment'));
    expect(await only('crud=cud')).toEqual(where((e) => e.crud !== 'r'));
    expect(await only('crud=d')).toEqual(where((e) => e.crud === 'd'));
    expect(await only(`crud=r&user=${l2.userId}&eventType=ResourceViewed`)).toEqual(where((e) => e.crud === 'r' && e.actorId === l2.userId && e.eventType === 'ResourceViewed'));
    expect(await only('origin=web')).toEqual(where(() => true));
    expect(await only('origin=cli')).toEqual([]);

    // Dates: everything happened today (UTC).
    expect(await only(`from=${today}&to=${today}`)).toEqual(where(() => true));
    expect(await only(`from=${dayAfter(today, 1)}`)).toEqual([]);
    expect(await only(`to=${dayAfter(today, -1)}`)).toEqual([]);
    // A timestamp bound splits the log where the test says.
    const all = withoutReads((await logs(teacher, 'limit=500')).rows);
    const updated = all.find((r) => r.eventType === 'CourseUpdated')!;
    const fromUpdate = (await logs(teacher, `limit=500&from=${encodeURIComponent(updated.occurredAt)}`)).rows;
    expect(withoutReads(fromUpdate).map((r) => r.eventId)).toEqual(all.filter((r) => r.occurredAt >= updated.occurredAt).map((r) => r.eventId));
    const untilUpdate = (await logs(teacher, `limit=500&to=${encodeURIComponent(updated.occurredAt)}`)).rows;
    expect(untilUpdate.map((r) => r.eventId)).toEqual(all.filter((r) => r.occurredAt <= updated.occurredAt).map((r) => r.eventId));
  });

  it('refuses bad filters with 400 VALIDATION_FAILED', async () => {
    for (const query of ['limit=501', 'limit=0', 'user=someone', 'crud=x', 'origin=moon', 'from=yesterday', `from=${today}&to=${dayAfter(today, -1)}`, 'cursor=not-ours', 'format=xml', 'colour=red', 'action=Viewed!']) {
      const res = await api().get(`/api/v1/courses/${courseId}/logs?${query}`).set(teacher.auth);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
    await api().get('/api/v1/courses/not-a-uuid/logs').set(teacher.auth).expect(400);
  });
});

describe('pagination', () => {
  async function walk(who: Session, query: string, limit: number): Promise<Row[][]> {
    const pages: Row[][] = [];
    let cursor: string | null = null;
    do {
      const page: { rows: Row[]; nextCursor: string | null } = await logs(who, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.rows);
      cursor = page.nextCursor;
      if (pages.length > 100) throw new Error('the pages do not end');
    } while (cursor);
    return pages;
  }

  it('gives every row once, in order, page by page', async () => {
    const changes = (await logs(teacher, 'crud=cud&limit=500')).rows;
    const pages = await walk(teacher, 'crud=cud', 3);
    expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    expect(pages.flat().map((r) => r.eventId)).toEqual(changes.map((r) => r.eventId));
    expect(changes.map(shape)).toEqual(newestFirst(expected.filter((e) => e.crud !== 'r')));
  });

  it('is not disturbed by rows written while paging: they are newer than the first page', async () => {
    await settle();
    const snapshot = (await logs(teacher, 'limit=500')).rows;
    const pages = await walk(teacher, '', 4);
    // A viewer comes back between the first pages: not a row is repeated or lost.
    const seen = pages.flat();
    expect(new Set(seen.map((r) => r.eventId)).size).toBe(seen.length);
    const known = new Set(snapshot.map((r) => r.eventId));
    expect(seen.filter((r) => known.has(r.eventId)).map((r) => r.eventId)).toEqual(snapshot.map((r) => r.eventId));
    const extra = seen.filter((r) => !known.has(r.eventId));
    expect(extra.every((r) => r.eventType === 'CourseLogViewed')).toBe(true);
    expect(seen.slice(0, extra.length)).toEqual(extra);
  });
});

describe('CSV export', () => {
  it('streams the same rows as CSV, with a header, quoting and formula-safe names (Accept: text/csv or ?format=csv)', async () => {
    const query = `user=${l2.userId}&crud=cr`;
    const json = withoutReads((await logs(teacher, `${query}&limit=500`)).rows);
    expect(json.map(shape)).toEqual(newestFirst(expected.filter((e) => (e.actorId === l2.userId || e.relatedUserId === l2.userId) && 'cr'.includes(e.crud))));
    for (const ask of [{ accept: 'text/csv', path: `?${query}` }, { accept: 'application/json', path: `?${query}&format=csv` }]) {
      const res = await api().get(`/api/v1/courses/${courseId}/logs${ask.path}`).set(teacher.auth).set('Accept', ask.accept).buffer(true).parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => done(null, text));
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      // Named by the course's code, the report and the day (the course was renamed, its code is still BIO-1).
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="BIO-1-course-log-(\d{4}-\d{2}-\d{2})\.csv"; filename\*=UTF-8''BIO-1-course-log-\1\.csv$/);
      expect((res.body as string).startsWith('\uFEFF')).toBe(false);
      const [header, ...lines] = parseCsv(res.body as string);
      expect(header).toEqual(['occurredAt', 'eventId', 'eventType', 'action', 'crud', 'objectType', 'objectId', 'objectTitle', 'actorId', 'actorName', 'realActorId', 'realActorName', 'relatedUserId', 'relatedUserName', 'origin']);
      const csvRows = lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]])));
      const data = csvRows.filter((r) => r.eventType !== 'CourseLogViewed');
      expect(data.map((r) => r.eventId)).toEqual(json.map((r) => r.eventId));
      const view = data.find((r) => r.eventType === 'ResourceViewed')!;
      expect(view).toMatchObject({ actorId: l2.userId, actorName: `'${TRICKY_NAME}`, crud: 'r', objectType: 'resource', objectId: resourceId, relatedUserId: '', origin: 'web' });
      expect(data.find((r) => r.eventType === 'LearnerEnrolled')).toMatchObject({ actorName: 'Teacher Tan', relatedUserId: l2.userId, relatedUserName: `'${TRICKY_NAME}` });
      expect(lines.every((l) => l.length === header.length)).toBe(true);
    }
  });
});

describe('live tail', () => {
  it('sends the last rows, then each new one as it happens, and stops when the client goes', async () => {
    await settle();
    const newest = (await logs(teacher, 'limit=2')).rows;
    await settle();
    const tail = openLive(`/api/v1/courses/${courseId}/logs/live?last=3`, teacher.auth);
    await tail.opened;
    expect(tail.status()).toBe(200);
    expect(tail.contentType()).toMatch(/^text\/event-stream/);
    const known = [newest[0].eventId, newest[1].eventId];
    const backlogDone = await tail.waitFor((e) => e.event === 'log' && !known.includes(e.data.eventId));
    // The last three rows, oldest first: the two of the page, then the read of that page.
    const backlog = tail.events.slice(0, 3);
    expect(backlog[2]).toBe(backlogDone);
    expect(backlog.map((e) => e.data.eventId).slice(0, 2)).toEqual([newest[1].eventId, newest[0].eventId]);
    expect(backlog[2].data).toMatchObject({ eventType: 'CourseLogViewed', actor: { userId: teacher.userId } });
    expect(backlogDone.id).toEqual(expect.any(String));

    // Something happens in the course: it arrives.
    await api().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(l1.auth).expect(200);
    const view = await tail.waitFor((e) => e.event === 'log' && e.data.eventType === 'ResourceViewed' && e.data.actor?.userId === l1.userId && !backlog.includes(e));
    expect(view.data).toMatchObject({ object: { type: 'resource', id: resourceId, title: 'The cell' }, actor: { displayName: 'Learner One' } });
    // Opening the tail was recorded, and came through as a new row too.
    await tail.waitFor((e) => e.event === 'log' && e.data.eventType === 'CourseLogViewed' && !backlog.includes(e));
    const ids = tail.events.filter((e) => e.event === 'log').map((e) => e.data.eventId);
    expect(new Set(ids).size).toBe(ids.length);

    tail.close();
    await tailsClosed();

    // A reconnecting client resumes after the last row it got.
    const resumed = openLive(`/api/v1/courses/${courseId}/logs/live`, { ...teacher.auth, 'Last-Event-ID': backlog[1].id! });
    await resumed.opened;
    const first = await resumed.waitFor((e) => e.event === 'log');
    expect(first.data.eventId).toBe(backlog[2].data.eventId);
    await resumed.waitFor((e) => e.event === 'log' && e.data.eventId === view.data.eventId);
    resumed.close();
    await tailsClosed();
  });

  it('holds at most five tails of one person open at once (each polls the table): the sixth is 429, another person\'s is not', async () => {
    const mine = Array.from({ length: 5 }, () => openLive(`/api/v1/courses/${courseId}/logs/live?last=0`, teacher.auth));
    await Promise.all(mine.map((tail) => tail.opened));
    expect(mine.map((tail) => tail.status())).toEqual([200, 200, 200, 200, 200]);
    const sixth = await api().get(`/api/v1/courses/${courseId}/logs/live?last=0`).set(teacher.auth).expect(429);
    expect(sixth.body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/at most 5 live logs/) });
    const theirs = openLive(`/api/v1/courses/${courseId}/logs/live?last=0`, schoolAdminA.auth);
    await theirs.opened;
    expect(theirs.status()).toBe(200);
    for (const tail of [...mine, theirs]) tail.close();
    await tailsClosed();
    // Closed ones count no more.
    const again = openLive(`/api/v1/courses/${courseId}/logs/live?last=0`, teacher.auth);
    await again.opened;
    expect(again.status()).toBe(200);
    again.close();
    await tailsClosed();
  });

  it('tails with filters', async () => {
    const tail = openLive(`/api/v1/courses/${courseId}/logs/live?last=0&eventType=CourseViewed`, teacher.auth);
    await tail.opened;
    await api().get(`/api/v1/courses/${courseId}`).set(l2.auth).expect(200);
    await api().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(l2.auth).expect(200);
    await api().get(`/api/v1/courses/${courseId}`).set(l1.auth).expect(200);
    await tail.waitFor((e) => e.event === 'log' && e.data.actor?.userId === l1.userId);
    expect(tail.events.map((e) => [e.data.eventType, e.data.actor?.userId])).toEqual([
      ['CourseViewed', l2.userId],
      ['CourseViewed', l1.userId],
    ]);
    tail.close();
    await tailsClosed();
  });
});

describe('who may read the log', () => {
  it('lets the course\'s teachers (non-editing too) and the school\'s admins read it', async () => {
    for (const who of [nonEditing, schoolAdminA]) {
      const { rows } = await logs(who, 'limit=500&crud=cud');
      expect(rows.map(shape)).toEqual(newestFirst(expected.filter((e) => e.crud !== 'r')));
    }
  });

  it('refuses a learner, a teacher of another course, another school\'s admin and the platform admin with 403, and anonymous callers with 401, appending nothing', async () => {
    const before = await countEvents(t);
    const paths = [`/api/v1/courses/${courseId}/logs`, `/api/v1/courses/${courseId}/logs?format=csv`, `/api/v1/courses/${courseId}/logs/live`];
    for (const who of [l1, otherTeacher, schoolAdminB, admin]) {
      for (const path of paths) {
        const res = await api().get(path).set(who.auth);
        expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
        expect(JSON.stringify(res.body)).not.toContain(l1.userId);
      }
      const sse = openLive(paths[2], who.auth);
      await sse.opened;
      expect(sse.status()).toBe(403);
      sse.close();
    }
    for (const path of paths) expect((await api().get(path)).status).toBe(401);
    // An unknown course: 403 for staff of a school (they learn nothing), 404 for a platform admin.
    const unknown = '7d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a';
    await api().get(`/api/v1/courses/${unknown}/logs`).set(schoolAdminA.auth).expect(403);
    expect((await api().get(`/api/v1/courses/${unknown}/logs`).set(admin.auth).expect(404)).body.error.code).toBe('COURSE_NOT_FOUND');
    expect(await countEvents(t)).toBe(before);
    await tailsClosed();
  });

  it('lets the teachers of a platform-wide course read its log, whatever the learners\' schools', async () => {
    const learnerB = await openAccount(t, admin, { schoolId: schoolB, role: 'learner', displayName: 'Learner of B' });
    const open = (await api().post('/api/v1/courses').set(admin.auth).send({ schoolId: null, title: 'Citizenship', code: 'OPEN-1', subject: 'Civics', selfEnrolment: { enabled: true } }).expect(201)).body.courseId;
    await api().put(`/api/v1/courses/${open}/teachers/${teacher.userId}`).set(admin.auth).send({ role: 'teacher' }).expect(204);
    await api().post(`/api/v1/courses/${open}/enrolments/self`).set(learnerB.auth).send({}).expect(201);
    await api().get(`/api/v1/courses/${open}`).set(learnerB.auth).expect(200);
    await settle();
    const { rows } = await logs(teacher, 'limit=500', open);
    expect(withoutReads(rows).map((r) => [r.eventType, r.actor?.userId])).toEqual([
      ['CourseViewed', learnerB.userId],
      ['LearnerEnrolled', learnerB.userId],
      ['CourseTeacherAssigned', admin.userId],
      ['CourseCreated', admin.userId],
    ]);
    expect(rows.every((r) => r.schoolId === null)).toBe(true);
    // A learner of another school: their name is not the teacher's to see.
    expect(rows[0].actor).toEqual({ userId: learnerB.userId, displayName: null });
    // The learner, enrolled, still may not read it.
    await api().get(`/api/v1/courses/${open}/logs`).set(learnerB.auth).expect(403);
  });
});

describe('reading the log is an action', () => {
  it('records CourseLogViewed on the reader\'s activity stream, naming the person the log was filtered on', async () => {
    await logs(nonEditing, `user=${l1.userId}&limit=1`);
    await api().get(`/api/v1/courses/${courseId}/logs?format=csv`).set(nonEditing.auth).expect(200);
    const { rows } = await db.query(`SELECT event_type, data, metadata FROM events WHERE stream_id = $1 AND event_type = 'CourseLogViewed' ORDER BY stream_revision`, [
      `activity-${nonEditing.userId}`,
    ]);
    expect(rows.slice(-2).map((r) => r.data)).toEqual([
      { courseId, userId: nonEditing.userId, format: 'json', filteredUserId: l1.userId },
      { courseId, userId: nonEditing.userId, format: 'csv', filteredUserId: null },
    ]);
    expect(rows[rows.length - 2].metadata).toMatchObject({
      actorId: nonEditing.userId,
      courseId,
      schoolId: schoolA,
      action: 'viewed',
      crud: 'r',
      object: { type: 'course_log', id: courseId },
      relatedUserId: l1.userId,
    });
    // And it is in the log, for the course's teachers to see.
    await settle();
    const reads = (await logs(teacher, 'eventType=CourseLogViewed&limit=500')).rows;
    expect(reads.some((r) => r.actor?.userId === nonEditing.userId && r.relatedUser?.userId === l1.userId)).toBe(true);
  });
});

describe('the OpenAPI document', () => {
  it('documents the course-log endpoints', async () => {
    const paths = (await api().get('/docs-json').expect(200)).body.paths;
    expect(paths['/api/v1/courses/{id}/logs'].get.responses['403'].description).toContain('FORBIDDEN');
    expect(paths['/api/v1/courses/{id}/logs/live'].get.tags).toEqual(['reports']);
  });
});

describe('a live tail outlives neither its session nor its access (both pushed, not polled)', () => {
  /** Opens a tail, ends its session with `end`, and returns how long the `end` event took to come. */
  async function endsAfter(who: Session, end: () => Promise<unknown>): Promise<{ ms: number; reason: string }> {
    const tails = t.app.get(LiveTails);
    const openBefore = tails.open;
    const tail = openLive(`/api/v1/courses/${courseId}/logs/live?last=1`, who.auth);
    await tail.opened;
    expect(tail.status()).toBe(200);
    await tail.waitFor((e) => e.event === 'log');
    const started = Date.now();
    await end();
    // Waited for without a deadline of its own: the callers assert the 5 s (and print what it took when it is more).
    const last = await tail.waitFor((e) => e.event === 'end');
    const ms = Date.now() - started;
    // The server ended the stream itself: its tail is gone without the client closing it.
    const deadline = Date.now() + WAIT_CEILING_MS;
    while (tails.open > openBefore) {
      if (Date.now() > deadline) throw new Error('the ended tail is still open on the server');
      await new Promise((r) => setTimeout(r, 20));
    }
    tail.close();
    // An `end` event carries { reason }, not a row.
    return { ms, reason: (last.data as unknown as { reason: string }).reason };
  }

  it('ends within 5 s of logout, and the same user\'s other session keeps its tail', async () => {
    const second = await signIn(t, teacher.username, teacher.password);
    const other = openLive(`/api/v1/courses/${courseId}/logs/live?last=1`, teacher.auth);
    await other.opened;
    const ended = await endsAfter(second, () => api().post('/api/v1/auth/logout').set(second.auth).expect(204));
    expect(ended.reason).toBe('session_ended');
    expect(ended.ms).toBeLessThan(5000);
    await api().get('/api/v1/me').set(second.auth).expect(401);
    expect(other.events.some((e) => e.event === 'end')).toBe(false);
    await api().get(`/api/v1/courses/${courseId}`).set(l1.auth).expect(200);
    await other.waitFor((e) => e.event === 'log' && e.data.eventType === 'CourseViewed' && e.data.actor?.userId === l1.userId);
    other.close();
    await tailsClosed();
  });

  it('ends within 5 s of the account being locked', async () => {
    const extra = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher' });
    await api().put(`/api/v1/courses/${courseId}/teachers/${extra.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
    const ended = await endsAfter(extra, () => api().post(`/api/v1/users/${extra.userId}/lock`).set(schoolAdminA.auth).expect(204));
    expect(ended.reason).toBe('session_ended');
    expect(ended.ms).toBeLessThan(5000);
    await api().get('/api/v1/me').set(extra.auth).expect(401);
  });

  it('ends within 5 s of a teacher being taken off the course (access withdrawn is pushed too), and the log is refused after', async () => {
    const assistant = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher' });
    await api().put(`/api/v1/courses/${courseId}/teachers/${assistant.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
    const ended = await endsAfter(assistant, () => api().delete(`/api/v1/courses/${courseId}/teachers/${assistant.userId}`).set(teacher.auth).expect(204));
    expect(ended.reason).toBe('access_revoked');
    expect(ended.ms).toBeLessThan(5000);
    await api().get(`/api/v1/courses/${courseId}/logs`).set(assistant.auth).expect(403);
  });

  it('ends within 5 s of a teacher of the course leaving the school (its staff list still names them), and the log is refused after', async () => {
    const leaver = await openAccount(t, schoolAdminA, { schoolId: schoolA, role: 'teacher' });
    await api().put(`/api/v1/courses/${courseId}/teachers/${leaver.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
    const ended = await endsAfter(leaver, () => api().delete(`/api/v1/schools/${schoolA}/members/${leaver.userId}`).set(schoolAdminA.auth).expect(200));
    expect(ended.reason).toBe('access_revoked');
    expect(ended.ms).toBeLessThan(5000);
    await api().get(`/api/v1/courses/${courseId}/logs`).set(leaver.auth).expect(403);
  });

  it('ends within 5 s of a school admin leaving the school', async () => {
    const deputy = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
    const ended = await endsAfter(deputy, () => api().delete(`/api/v1/schools/${schoolA}/members/${deputy.userId}`).set(admin.auth).expect((res) => expect(res.status).toBeLessThan(300)));
    expect(ended.reason).toBe('access_revoked');
    expect(ended.ms).toBeLessThan(5000);
  });
});
