/**
 * Usage statistics over HTTP: registrations and active users by school, role
 * and country, content access and completion, for today, checked against the
 * people the test created and what it made them do; k-anonymity (k = 5): a
 * cell of 4 people is null, a cell of 5 shows, and a lone small cell takes the
 * next-smallest with it; CSV; only platform admins and the DPO read it.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, PASSWORD, registerUser, signIn, signInAdmin, uniqueUsername, type Session } from '../support/auth';
import { caughtUp } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const api = () => request(t.app.getHttpServer());

let admin: Session;
let dpo: Session;
const schools: Record<'A' | 'B' | 'D', string> = { A: '', B: '', D: '' };
const learners: Record<'A' | 'B' | 'D', Session[]> = { A: [], B: [], D: [] };
let courseId: string;
let resourceId: string;
/** Events each learner did (as actor), counted from the requests the test sent. */
const eventsOf = new Map<string, number>();
const did = (who: Session, n = 1) => eventsOf.set(who.userId, (eventsOf.get(who.userId) ?? 0) + n);
const today = () => new Date().toISOString().slice(0, 10);

const settle = () => caughtUp(t);

/** A learner of `school` from `country`, opened by the platform admin, then signed in. */
async function learner(school: string, country: string): Promise<Session> {
  const username = uniqueUsername('learner');
  await api()
    .post('/api/v1/users')
    .set(admin.auth)
    .send({ username, password: PASSWORD, displayName: `Learner ${username}`, schoolId: school, role: 'learner', country, consentObtainedFrom: 'parent' })
    .expect(201);
  const session = await signIn(t, username, PASSWORD);
  did(session); // UserLoggedIn
  return session;
}

async function usage(who: Session, query: string) {
  await settle();
  const res = await api().get(`/api/v1/reports/usage?${query}`).set(who.auth);
  if (res.status !== 200) throw new Error(`usage ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Events today by a person acting as themself, from the raw log: the oracle of the totals. */
async function eventsToday(): Promise<{ people: number; events: number }> {
  const { rows } = await db.query(
    `SELECT count(DISTINCT metadata->>'actorId')::int AS people, count(*)::int AS events FROM events
     WHERE metadata->>'actorId' IS NOT NULL AND metadata->>'realActorId' IS NULL AND substr(metadata->>'occurredAt', 1, 10) = $1`,
    [today()],
  );
  return rows[0];
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  dpo = await registerUser(t);
  await api().put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
  schools.A = await createSchool(t, admin, 'Alpha School');
  schools.B = await createSchool(t, admin, 'Beta School');
  schools.D = await createSchool(t, admin, 'Delta School');
  for (let i = 0; i < 5; i++) learners.A.push(await learner(schools.A, 'TH'));
  for (let i = 0; i < 4; i++) learners.B.push(await learner(schools.B, 'VN'));
  for (let i = 0; i < 2; i++) learners.D.push(await learner(schools.D, 'VN'));

  // A platform-wide course with one page, completed by viewing it.
  courseId = (await api().post('/api/v1/courses').set(admin.auth).send({ schoolId: null, title: 'Study skills', code: 'SKILLS-1', subject: 'Skills', selfEnrolment: { enabled: true } }).expect(201)).body.courseId;
  const sectionId = (await api().post(`/api/v1/courses/${courseId}/sections`).set(admin.auth).send({ title: 'Start' }).expect(201)).body.sectionId;
  resourceId = (await api().post(`/api/v1/courses/${courseId}/resources`).set(admin.auth).send({ sectionId, kind: 'page', title: 'How to learn', content: { body: '<p>Slowly.</p>' } }).expect(201)).body.resourceId;
  await api().put(`/api/v1/courses/${courseId}/completion/rules/${resourceId}`).set(admin.auth).send({ kind: 'resource', rule: 'viewed' }).expect(200);
  await api().put(`/api/v1/courses/${courseId}/completion/criteria`).set(admin.auth).send({ requireAll: [resourceId] }).expect(200);
  for (const l of [...learners.A, ...learners.B]) {
    await api().post(`/api/v1/courses/${courseId}/enrolments/self`).set(l.auth).send({}).expect(201);
    did(l); // LearnerEnrolled
  }
  // The five of A read the page (the first one twice): five viewers, six views, five completions.
  for (const [i, l] of learners.A.entries()) {
    for (let n = 0; n < (i === 0 ? 2 : 1); n++) {
      await api().get(`/api/v1/courses/${courseId}/resources/${resourceId}`).set(l.auth).expect(200);
      did(l);
    }
  }
  // The four of B open the course: four viewers.
  for (const l of learners.B) {
    await api().get(`/api/v1/courses/${courseId}`).set(l.auth).expect(200);
    did(l);
  }
}, 240_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

const sum = (sessions: Session[]) => sessions.reduce((n, s) => n + (eventsOf.get(s.userId) ?? 0), 0);
type Cell = { key: string; people: number | null; events?: number | null; suppressed: boolean };
const cell = (cells: Cell[], key: string) => cells.find((c) => c.key === key);

describe('usage by school', () => {
  it('counts registrations and active people per school: 5 shows, 4 and fewer are suppressed, events too', async () => {
    const day = today();
    const oracle = await eventsToday();
    const report = await usage(admin, `from=${day}&to=${day}&granularity=day&by=school`);
    expect(report).toMatchObject({ from: day, to: day, granularity: 'day', by: 'school', minCellSize: 5 });
    expect(report.dimension).toEqual(
      expect.arrayContaining([
        { key: schools.A, label: 'Alpha School' },
        { key: schools.B, label: 'Beta School' },
        { key: schools.D, label: 'Delta School' },
        { key: 'none', label: 'none' },
      ]),
    );
    expect(report.periods).toHaveLength(1);
    const [p] = report.periods;
    expect(p).toMatchObject({ period: day, start: day, end: day });

    // Registrations: A 5, B 4, D 2, none 2 (the platform admin of the first start, the DPO who registered).
    expect(cell(p.registrations.cells, schools.A)).toEqual({ key: schools.A, people: 5, suppressed: false });
    expect(cell(p.registrations.cells, schools.B)).toEqual({ key: schools.B, people: null, suppressed: true });
    expect(cell(p.registrations.cells, schools.D)).toEqual({ key: schools.D, people: null, suppressed: true });
    expect(cell(p.registrations.cells, 'none')).toEqual({ key: 'none', people: null, suppressed: true });
    expect(p.registrations.total).toEqual({ people: 13, suppressed: false });

    // Active: the same people (every learner signed in; the admin and the DPO acted).
    expect(cell(p.activeUsers.cells, schools.A)).toEqual({ key: schools.A, people: 5, events: sum(learners.A), suppressed: false });
    expect(sum(learners.A)).toBe(5 * 3 + 1);
    expect(cell(p.activeUsers.cells, schools.B)).toEqual({ key: schools.B, people: null, events: null, suppressed: true });
    expect(cell(p.activeUsers.cells, schools.D)).toEqual({ key: schools.D, people: null, events: null, suppressed: true });
    expect(p.activeUsers.total).toEqual({ people: oracle.people, events: oracle.events, suppressed: false });
    expect(oracle.people).toBe(13);
  });

  it('gives content access and completion per period, suppressed under k', async () => {
    const day = today();
    const [p] = (await usage(dpo, `from=${day}&to=${day}&granularity=month&by=school`)).periods;
    expect(p).toMatchObject({ period: `${day.slice(0, 7)}-01`, start: day, end: day });
    expect(p.contentAccess.resourceViews).toEqual({ people: 5, views: 6, suppressed: false });
    expect(p.contentAccess.courseViews).toEqual({ people: null, views: null, suppressed: true }); // four viewers
    expect(p.completion).toEqual({ people: 5, completions: 5, suppressed: false });
  });
});

describe('usage by role and by country', () => {
  it('shows the learners by role; the lone platform roles are too few', async () => {
    const day = today();
    const [p] = (await usage(admin, `from=${day}&to=${day}&by=role`)).periods;
    expect(cell(p.activeUsers.cells, 'learner')).toMatchObject({ people: 11, events: sum([...learners.A, ...learners.B, ...learners.D]), suppressed: false });
    expect(cell(p.activeUsers.cells, 'platform_admin')).toMatchObject({ people: null, suppressed: true });
    expect(cell(p.activeUsers.cells, 'dpo')).toMatchObject({ people: null, suppressed: true });
    expect(cell(p.registrations.cells, 'learner')).toEqual({ key: 'learner', people: 11, suppressed: false });
  });

  it('suppresses the next-smallest cell when only one is small (TH has 5, but unknown has 2 and the total is shown)', async () => {
    const day = today();
    const [p] = (await usage(admin, `from=${day}&to=${day}&by=country`)).periods;
    expect(cell(p.activeUsers.cells, 'VN')).toMatchObject({ people: 6, events: sum([...learners.B, ...learners.D]), suppressed: false });
    expect(cell(p.activeUsers.cells, 'unknown')).toMatchObject({ people: null, events: null, suppressed: true });
    expect(cell(p.activeUsers.cells, 'TH')).toMatchObject({ people: null, events: null, suppressed: true });
    expect(p.activeUsers.total).toMatchObject({ people: 13, suppressed: false });
    expect(p.registrations.cells.filter((c: Cell) => c.suppressed).map((c: Cell) => c.key).sort()).toEqual(['TH', 'unknown']);
  });
});

describe('CSV', () => {
  it('gives the same figures in long form, suppressed cells empty', async () => {
    const day = today();
    await settle();
    const res = await api().get(`/api/v1/reports/usage?from=${day}&to=${day}&by=school&format=csv`).set(admin.auth).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="usage-school-day-${day}-${day}.csv"; filename*=UTF-8''usage-school-day-${day}-${day}.csv`);
    // ?bom=true: the same file after a UTF-8 byte-order mark (Excel reads the names right).
    const withBom = await api().get(`/api/v1/reports/usage?from=${day}&to=${day}&by=school&format=csv&bom=true`).set(admin.auth).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(withBom.status).toBe(200);
    expect([...(withBom.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // The rest is the same CSV (its figures may have moved by the reads themselves: the header and the periods match).
    const firstColumn = (text: string) => text.trimEnd().split('\r\n').map((l) => l.split(',').slice(0, 6).join(','));
    expect(firstColumn((withBom.body as Buffer).subarray(3).toString('utf8'))).toEqual(firstColumn(res.text));
    const lines = res.text.trimEnd().split('\r\n').map((l) => l.split(','));
    expect(lines[0]).toEqual(['period', 'start', 'end', 'measure', 'dimension', 'key', 'label', 'people', 'count', 'suppressed']);
    const line = (measure: string, key: string) => lines.find((l) => l[3] === measure && l[5] === key);
    expect(line('registrations', schools.A)).toEqual([day, day, day, 'registrations', 'school', schools.A, 'Alpha School', '5', '', 'false']);
    expect(line('registrations', schools.B)).toEqual([day, day, day, 'registrations', 'school', schools.B, 'Beta School', '', '', 'true']);
    expect(line('active_users', schools.A)).toEqual([day, day, day, 'active_users', 'school', schools.A, 'Alpha School', '5', String(sum(learners.A)), 'false']);
    expect(line('resource_views', 'total')).toEqual([day, day, day, 'resource_views', '', 'total', 'total', '5', '6', 'false']);
    expect(line('course_views', 'total')!.slice(7)).toEqual(['', '', 'true']);
  });
});

describe('the report\'s parameters', () => {
  it('refuses bad ones with 400 VALIDATION_FAILED', async () => {
    for (const query of ['granularity=year', 'by=gender', 'from=2025-05-02&to=2025-05-01', 'from=2025-02-30', 'from=2000-01-01&to=2025-01-01&granularity=day', 'from=0001-01-01&to=9999-12-31', 'format=xml', 'extra=1']) {
      const res = await api().get(`/api/v1/reports/usage?${query}`).set(admin.auth);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('answers a range that ends on 9999-12-31 (it used to hang the server until its heap was full), and refuses no one for asking', async () => {
    for (const granularity of ['day', 'week', 'month']) {
      const report = await usage(admin, `from=9999-12-28&to=9999-12-31&granularity=${granularity}`);
      expect(report.periods.map((p: { period: string }) => p.period)).toEqual(granularity === 'day' ? ['9999-12-28', '9999-12-29', '9999-12-30', '9999-12-31'] : granularity === 'week' ? ['9999-12-27'] : ['9999-12-01']);
    }
  });

  it('defaults to the last 30 days by role, with every day listed', async () => {
    const report = await usage(admin, '');
    expect(report).toMatchObject({ granularity: 'day', by: 'role', to: today() });
    expect(report.periods).toHaveLength(30);
    expect(report.periods.slice(0, 29).every((p: { activeUsers: { total: { people: number } } }) => p.activeUsers.total.people === 0)).toBe(true);
  });

  it('records each read as UsageReportViewed', async () => {
    await usage(dpo, 'by=country&granularity=week');
    const { rows } = await db.query(`SELECT data, metadata FROM events WHERE stream_id = $1 AND event_type = 'UsageReportViewed' ORDER BY stream_revision DESC LIMIT 1`, [`activity-${dpo.userId}`]);
    expect(rows[0].data).toMatchObject({ userId: dpo.userId, by: 'country', granularity: 'week', to: today(), format: 'json' });
    expect(rows[0].metadata).toMatchObject({ actorId: dpo.userId, action: 'viewed', crud: 'r', courseId: null, schoolId: null });
  });
});

describe('who may read usage statistics', () => {
  it('refuses everyone but platform admins and the DPO', async () => {
    const schoolAdmin = await openAccount(t, admin, { schoolId: schools.A, role: 'school_admin' });
    const teacher = await openAccount(t, schoolAdmin, { schoolId: schools.A, role: 'teacher' });
    const general = await registerUser(t);
    for (const who of [learners.A[0], teacher, schoolAdmin, general]) {
      const res = await api().get('/api/v1/reports/usage').set(who.auth);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      await api().get('/api/v1/reports/usage?format=csv').set(who.auth).expect(403);
    }
    await api().get('/api/v1/reports/usage').expect(401);
    await api().get('/api/v1/reports/usage').set(dpo.auth).expect(200);
    await api().get('/api/v1/reports/usage').set(admin.auth).expect(200);
  });
});
