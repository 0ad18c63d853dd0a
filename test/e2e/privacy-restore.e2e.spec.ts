/**
 * An erasure that a backup restore cannot undo (docs/privacy.md, "Backup and
 * restore"; README, "Operations"). The test runs the documented procedure:
 *
 *   1. the nightly backups: `pg_dump -Fc` of the event database and, apart,
 *      of the key store's database, while Nok (a learner) is still there;
 *   2. Nok is erased (request, DPO approval, every projection's receipt);
 *   3. disaster: both databases are restored from those dumps with
 *      `pg_restore` into new databases; the erasure ledger file
 *      (ERASURE_LEDGER_PATH) and MASTER_KEY are the ones kept;
 *   4. the app starts on the restored databases.
 *
 * Then: Nok cannot sign in, nothing of hers decrypts (her keys are gone from
 * the restored key store), every projection's receipt of her erasure is there
 * again, and a scan of every table of both restored databases, of every
 * export and of every report finds none of her personal data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { loadConfig } from '../../libs/config/src';
import { keyStoreUrlFor } from '../../libs/database/src/key-store-database';
import { EventLog, type RecordedEvent } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, PASSWORD, signIn, signInAdmin, registerUser, type Session } from '../support/auth';
import { createTestApp, testEnv, type TestApp } from '../support/test-app';

const NOK = {
  name: 'Nokwan Thepsiri',
  email: 'nokwan.thepsiri@example.org',
  phone: '+66 89 777 4321',
  nationalId: '3101200456789',
  ip: '198.51.100.42',
  userAgent: 'NokPhone/2.1 (nokwan-handset)',
  essay: 'Nokwan Thepsiri writes about the Chao Phraya',
};

/** The newest pg_dump / pg_restore that can read a server of this major version (tools must not be older than the server). */
function pgTool(name: 'pg_dump' | 'pg_restore', serverMajor: number): string {
  const candidates: string[] = [];
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').map(Number).filter((v) => v >= serverMajor).sort((a, b) => b - a)) candidates.push(`/usr/lib/postgresql/${v}/bin/${name}`);
  }
  candidates.push(name);
  for (const c of candidates) {
    try {
      const version = execFileSync(c, ['--version'], { encoding: 'utf8' });
      const major = Number(/(\d+)(?:\.\d+)?/.exec(version.replace(/^[^0-9]*/, ''))?.[1]);
      if (major >= serverMajor) return c;
    } catch {
      // not there
    }
  }
  throw new Error(`no ${name} of PostgreSQL ${serverMajor} or newer on this machine (install postgresql-client-${serverMajor}; .ci/run does)`);
}

let t: TestApp;
let restored: INestApplication | null = null;
let originalClosed = false;
let restoredUrl: string;
let dir: string;
let ledgerPath: string;
const servers = new Set<string>();

let admin: Session;
let school: string;
let schoolAdmin: Session;
let teacher: Session;
let classmate: Session;
let dpo: Session;
let nok: Session;
let course: string;
let essay: string;
let erasureId: string;
let needles: string[];

const as = (who: Session, ua = 'Classroom/1.0') => ({ ...who.auth, 'User-Agent': ua });

async function settled(app: INestApplication): Promise<void> {
  const head = await app.get(EventLog).store.headPosition();
  if (head) await app.get(ProjectionRunner).waitFor(head, 60_000);
}

function found(text: string): string[] {
  const lower = text.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()));
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Every row of every table of a database, as JSON text (the event store's sealed columns included). */
async function scanDatabase(url: string): Promise<{ table: string; found: string[] }[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
    const hits: { table: string; found: string[] }[] = [];
    for (const { table_name } of rows) {
      const data = await c.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      for (const r of data.rows as { row: string }[]) if (found(r.row).length) hits.push({ table: table_name, found: found(r.row) });
    }
    return hits;
  });
}

function dump(url: string, file: string, serverMajor: number): void {
  execFileSync(pgTool('pg_dump', serverMajor), ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`]);
}

/** pg_restore into a new, empty database of the same server. */
async function restore(file: string, url: string, serverMajor: number): Promise<void> {
  const target = new URL(url);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  await withClient(maintenance.toString(), (c) => c.query(`CREATE DATABASE "${target.pathname.slice(1)}"`));
  servers.add(url);
  execFileSync(pgTool('pg_restore', serverMajor), ['--no-owner', '--exit-on-error', `--dbname=${url}`, file]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'learnstream-restore-'));
  ledgerPath = join(dir, 'erasure-ledger.jsonl');
  t = await createTestApp({ USAGE_MIN_CELL_SIZE: '1', ERASURE_LEDGER_PATH: ledgerPath });
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Chao Phraya School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher', displayName: 'Teacher Kanya' });
  classmate = await openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Classmate Pim' });
  dpo = await registerUser(t);
  await request(t.app.getHttpServer()).put(`/api/v1/users/${dpo.userId}/roles/dpo`).set(admin.auth).expect(204);
  dpo = await signIn(t, dpo.username, PASSWORD);
  nok = await openAccount(t, schoolAdmin, {
    schoolId: school,
    role: 'learner',
    displayName: NOK.name,
    email: NOK.email,
    dateOfBirth: '2005-03-04',
    ...({ phone: NOK.phone, nationalId: NOK.nationalId } as object),
  });
  needles = [NOK.name, NOK.email, NOK.phone, NOK.nationalId, NOK.ip, NOK.userAgent, nok.username, 'Thepsiri', 'Nokwan'];

  const api = () => request(t.app.getHttpServer());
  course = (await api().post('/api/v1/courses').set(as(teacher)).send({ schoolId: school, title: 'Rivers', code: 'GEO-2', subject: 'Geography', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  await api().post(`/api/v1/courses/${course}/enrolments/bulk`).set(as(teacher)).send({ learnerIds: [nok.userId, classmate.userId] }).expect(200);
  await api().post(`/api/v1/courses/${course}/sections`).set(as(teacher)).send({ title: 'Term 1' }).expect(201);
  const created = await api().post(`/api/v1/courses/${course}/assignments`).set(as(teacher)).send({ title: 'Rivers essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 });
  expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
  essay = created.body.assignmentId;
  await api().post(`/api/v1/assignments/${essay}/submissions`).set(as(nok, NOK.userAgent)).send({ text: NOK.essay }).expect(201);
  await api().post(`/api/v1/assignments/${essay}/submissions/${nok.userId}/grade`).set(as(teacher)).send({ grade: 80, feedback: `Clear, ${NOK.name}` }).expect(200);
  await api().post(`/api/v1/assignments/${essay}/submissions`).set(as(classmate)).send({ text: 'Pim on rivers' }).expect(201);
  // Her activity from her phone (her IP and user agent sealed under her keys of the month).
  const at = new Date(Date.now() - 40 * 86_400_000);
  await t.app.get(EventLog).append(`activity-${nok.userId}`, [
    {
      type: 'CourseViewed',
      data: { courseId: course, userId: nok.userId },
      envelope: {
        actorId: nok.userId, realActorId: null, courseId: course, schoolId: school, action: 'viewed', crud: 'r', object: { type: 'course', id: course },
        relatedUserId: null, ip: NOK.ip, userAgent: NOK.userAgent, origin: 'web', correlationId: randomUUID(), causationId: null, occurredAt: at.toISOString(),
      },
    },
  ]);
  await api().get(`/api/v1/users/${nok.userId}`).set(as(teacher)).expect(200);
  await settled(t.app);
}, 240_000);

afterAll(async () => {
  await restored?.close();
  if (!originalClosed) await t?.close();
  for (const url of servers) {
    const name = new URL(url).pathname.slice(1);
    const maintenance = new URL(url);
    maintenance.pathname = '/postgres';
    await withClient(maintenance.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an erasure survives the restore of backups taken before it', () => {
  let serverMajor: number;
  const eventsDump = () => join(dir, 'events.dump');
  const keysDump = () => join(dir, 'keys.dump');

  it('1. backups of the event database and, apart, of the key store, while she is still there', async () => {
    serverMajor = await withClient(t.db.url, async (c) => Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000));
    dump(t.db.url, eventsDump(), serverMajor);
    dump(keyStoreUrlFor(t.db.url), keysDump(), serverMajor);
    // The event database's dump holds no key: the key store is another database.
    const tables = await withClient(t.db.url, async (c) => (await c.query(`SELECT to_regclass('subject_keys')::text AS keys, to_regclass('erased_subjects')::text AS ledger`)).rows[0]);
    expect(tables).toEqual({ keys: null, ledger: null });
    const exported = await request(t.app.getHttpServer()).get('/api/v1/privacy/export').set(as(nok)).expect(200);
    expect(exported.body.profile).toMatchObject({ displayName: NOK.name, email: NOK.email });
  });

  it('2. she is erased: every projection acknowledges', async () => {
    const api = () => request(t.app.getHttpServer());
    erasureId = (await api().post('/api/v1/privacy/requests').set(as(nok)).send({ type: 'erasure' }).expect(201)).body.requestId;
    await api().post(`/api/v1/privacy/requests/${erasureId}/approve`).set(as(dpo)).send({ reason: 'no hold' }).expect(200);
    await waitForReceipts(t.app, t.opsToken);
    await api().post('/api/v1/auth/login').send({ username: nok.username, password: PASSWORD }).expect(401);
  });

  it('3–4. both databases restored from the dumps, the app started as documented: she stays erased', async () => {
    // The restore: a new event database and its key store database, from the dumps taken before the erasure.
    const base = new URL(t.db.url);
    base.pathname = `${base.pathname}_restored`;
    restoredUrl = base.toString();
    await restore(eventsDump(), restoredUrl, serverMajor);
    await restore(keysDump(), keyStoreUrlFor(restoredUrl), serverMajor);
    // What the restore brought back: her keys, and the ledger has no trace of her erasure.
    await withClient(keyStoreUrlFor(restoredUrl), async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [nok.userId])).rows[0].n).toBeGreaterThan(0);
      expect((await c.query('SELECT count(*)::int AS n FROM erased_subjects WHERE subject_id = $1', [nok.userId])).rows[0].n).toBe(0);
    });
    expect((await scanDatabase(restoredUrl)).length).toBeGreaterThan(0); // her data is in the restored rows, sealed or projected

    // The documented start: same MASTER_KEY, same ERASURE_LEDGER_PATH, the restored DATABASE_URL.
    const config = loadConfig(testEnv(restoredUrl, { USAGE_MIN_CELL_SIZE: '1', MASTER_KEY: t.config.masterKey.toString('base64'), OPS_TOKEN: t.opsToken, ERASURE_LEDGER_PATH: ledgerPath }));
    await t.close();
    originalClosed = true;
    restored = await createApp(config, restoredUrl, false);
    await restored.init();
    await waitForReceipts(restored, t.opsToken);
    await settled(restored);

    const api = () => request(restored!.getHttpServer());
    await api().post('/api/v1/auth/login').send({ username: nok.username, password: PASSWORD }).expect(401);
    await withClient(keyStoreUrlFor(restoredUrl), async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [nok.userId])).rows[0].n).toBe(0);
      expect((await c.query('SELECT request_id FROM erased_subjects WHERE subject_id = $1', [nok.userId])).rows).toEqual([{ request_id: erasureId }]);
    });

    // Nothing of hers decrypts: every sealed value of hers in the restored log reads as erased.
    const log = restored.get(EventLog);
    let hers = 0;
    const raws: RecordedEvent[] = [];
    for await (const r of log.store.readAll()) raws.push(r);
    const decoded = await log.decode(raws);
    decoded.forEach((e, i) => {
      const text = JSON.stringify({ data: e.data, envelope: e.envelope });
      expect({ type: e.type, found: found(text) }).toEqual({ type: e.type, found: [] });
      const sealed = JSON.stringify([raws[i].data, raws[i].metadata]).split(`"s":"${nok.userId}"`).length - 1;
      hers += sealed;
      if (sealed) expect(e.erased.length).toBeGreaterThanOrEqual(1);
    });
    expect(hers).toBeGreaterThan(5);
  }, 180_000);

  it('every projection’s receipt is there again; no table, export or report has anything of hers', async () => {
    const api = () => request(restored!.getHttpServer());
    const adminSession = await signInAdmin({ app: restored! } as TestApp);
    const dpo2 = await signIn({ app: restored! } as TestApp, dpo.username, PASSWORD);
    const teacher2 = await signIn({ app: restored! } as TestApp, teacher.username, PASSWORD);
    const classmate2 = await signIn({ app: restored! } as TestApp, classmate.username, PASSWORD);
    const schoolAdmin2 = await signIn({ app: restored! } as TestApp, schoolAdmin.username, PASSWORD);

    const receipts = (await api().get(`/api/v1/privacy/requests/${erasureId}/receipts`).set(dpo2.auth).expect(200)).body;
    const projections: { name: string }[] = (await api().get('/api/v1/admin/projections').set({ Authorization: `Bearer ${t.opsToken}` }).expect(200)).body.projections;
    expect(receipts.complete).toBe(true);
    expect(receipts.receipts.map((r: { projection: string }) => r.projection).sort()).toEqual(projections.map((p) => p.name).sort());

    expect(await scanDatabase(restoredUrl)).toEqual([]);
    expect(await scanDatabase(keyStoreUrlFor(restoredUrl))).toEqual([]);

    const text = async (who: Session, path: string) => {
      const res = await api().get(path).set(as(who));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return res.text;
    };
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const outputs: Record<string, string> = {
      teacherExport: await text(teacher2, '/api/v1/privacy/export'),
      classmateExport: await text(classmate2, '/api/v1/privacy/export'),
      dpoExport: await text(dpo2, '/api/v1/privacy/export'),
      adminExport: await text(adminSession, '/api/v1/privacy/export'),
      courseLog: await text(teacher2, `/api/v1/courses/${course}/logs?limit=500`),
      courseLogCsv: await text(teacher2, `/api/v1/courses/${course}/logs?format=csv`),
      participants: await text(teacher2, `/api/v1/courses/${course}/enrolments`),
      classReport: await text(teacher2, `/api/v1/reports/courses/${course}`),
      submissions: await text(teacher2, `/api/v1/assignments/${essay}/submissions`),
      schoolReport: await text(schoolAdmin2, `/api/v1/reports/schools/${school}?from=${day(-360)}&to=${day(0)}`),
      directory: await text(schoolAdmin2, `/api/v1/schools/${school}/members?includeEnded=true`),
      usage: await text(adminSession, `/api/v1/reports/usage?from=${day(-360)}&to=${day(0)}&granularity=month&by=role`),
      queue: await text(dpo2, '/api/v1/privacy/requests/queue?status=completed'),
      request: await text(dpo2, `/api/v1/privacy/requests/${erasureId}`),
      accessLog: await text(teacher2, '/api/v1/privacy/access-log'),
      dpoAccessLog: await text(dpo2, `/api/v1/privacy/access-log?subjectId=${classmate2.userId}`),
    };
    expect(Object.entries(outputs).filter(([, body]) => found(body).length).map(([name, body]) => ({ name, found: found(body) }))).toEqual([]);
  }, 120_000);
});

/** Polls the erasure's receipts until every projection has acknowledged (no fixed sleep: a deadline). */
async function waitForReceipts(app: INestApplication, opsToken: string): Promise<void> {
  const projections: { name: string }[] = (await request(app.getHttpServer()).get('/api/v1/admin/projections').set({ Authorization: `Bearer ${opsToken}` }).expect(200)).body.projections;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const rows = await withClient(app === restored ? restoredUrl : t.db.url, async (c) => (await c.query('SELECT projection FROM erasure_receipts WHERE request_id = $1', [erasureId])).rows);
    if (rows.length === projections.length) return;
    if (Date.now() > deadline) throw new Error(`${rows.length} of ${projections.length} projections acknowledged`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
