/**
 * Acknowledged activity survives a crash. The real server runs as a child
 * process (built with swc into .test-data/); learners send activity in
 * batches from several loops at once; the server is killed with SIGKILL in
 * the middle of the load and started again on the same database. Every event
 * of every 2xx answer must be in the log; the batches whose answer was lost
 * are sent again, and with the ones acknowledged before the crash nothing is
 * counted twice. Then the read models: once the restarted server's projections
 * have caught up, each counts every event of the log exactly once. The counts
 * are increments (progress-activity, per course, person and day), so a
 * checkpoint moved in a transaction of its own, before or after its batch's
 * rows, shows here: killed between the two, the batch is applied twice or
 * skipped. So that the kill lands there every time, not by luck, the test
 * holds the projection in its batch before killing: once the load runs,
 * triggers make the second of the two writes of a progress-activity batch
 * (its checkpoint, its rows: whichever comes second) sleep, and the server is
 * killed while that backend sleeps (its connection is then ended, as a dead
 * client's is). With checkpoint and rows in one transaction nothing of that
 * batch is kept; in two, the first is committed and the counts are off
 * (checked both ways on 2026-12-06: rows first, the batch counted twice;
 * checkpoint first, events skipped).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { ADMIN, PASSWORD, freePort, must, signIn, sleep, startServer, waitForProjections, type ServerProcess } from '../../bench/support';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const BUILD = resolve('.test-data', `crash-dist-${process.pid}`);

interface Batch {
  learner: number;
  events: { id: string; type: string; courseId: string; resourceId: string; positionSeconds: number; durationSeconds: number }[];
  /** 'acked': a 2xx came back; 'lost': the connection died with the server; 'refused': 4xx/5xx (nothing recorded). */
  outcome?: 'acked' | 'lost' | 'refused';
}

let db: TestDatabase;
let client: pg.Client;
let server: ServerProcess | undefined;

beforeAll(() => {
  execFileSync(process.execPath, [resolve('node_modules/@swc/cli/bin/swc.js'), 'apps', 'libs', '-d', BUILD, '--ignore', '**/*.spec.ts', '--ignore', '**/testing/**', '--quiet'], { stdio: 'pipe' });
});

afterAll(async () => {
  await server?.kill().catch(() => undefined);
  await client?.end().catch(() => undefined);
  await db?.drop();
  rmSync(BUILD, { recursive: true, force: true });
});

const count = async (sql: string, params: unknown[] = []) => Number((await client.query(sql, params)).rows[0].n);

const RELEASE_HOLD = `DROP TRIGGER IF EXISTS crash_hold ON projection_checkpoints; DROP TRIGGER IF EXISTS crash_hold ON progress_daily_activity;
  DROP FUNCTION IF EXISTS crash_hold(); DROP TABLE IF EXISTS crash_hold_seen`;

/**
 * Holds the projection between the two writes of a batch: its checkpoint (an
 * update that counts handled events: a batch, not a move past events it does
 * not handle) and its read-model table. Each write notes its kind in
 * crash_hold_seen; the write that finds the other kind noted (in its own
 * transaction, or committed by an earlier one) sleeps. Waits until a backend
 * sleeps there and returns the sleeping backends.
 */
async function holdProjectionMidBatch(projection: string, table: string): Promise<number[]> {
  await client.query(`
    CREATE TABLE crash_hold_seen (kind text PRIMARY KEY);
    GRANT ALL ON crash_hold_seen TO PUBLIC;
    CREATE FUNCTION crash_hold() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      written text := CASE WHEN TG_TABLE_NAME = 'projection_checkpoints' THEN 'checkpoint' ELSE 'rows' END;
    BEGIN
      IF written = 'checkpoint' THEN
        IF NEW.name <> '${projection}' OR NEW.events_handled <= OLD.events_handled THEN RETURN NEW; END IF;
      END IF;
      IF EXISTS (SELECT 1 FROM crash_hold_seen WHERE kind <> written) THEN
        PERFORM pg_sleep(60);
      END IF;
      INSERT INTO crash_hold_seen VALUES (written) ON CONFLICT DO NOTHING;
      RETURN NEW;
    END $$;
    CREATE TRIGGER crash_hold BEFORE UPDATE ON projection_checkpoints FOR EACH ROW EXECUTE FUNCTION crash_hold();
    CREATE TRIGGER crash_hold BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION crash_hold();`);
  for (let waited = 0; waited < 30_000; waited += 20) {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`);
    if (rows.length) return rows.map((r) => r.pid);
    await sleep(20);
  }
  throw new Error(`${projection} wrote no batch within 30 s of the hold`);
}

it('keeps every event it acknowledged through a SIGKILL mid-load, and counts retried batches once', async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    MASTER_KEY: randomBytes(32).toString('base64'),
    OPS_TOKEN: randomBytes(24).toString('base64url'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
  };
  const main = resolve(BUILD, 'apps/api/src/main.js');
  server = await startServer({ databaseUrl: db.url, env, main });
  const base = server.base;

  // A course with a video and eight enrolled learners, over HTTP.
  const admin = await signIn(base, ADMIN.username, ADMIN.password);
  const school = (await must<{ schoolId: string }>(201, base, 'POST', '/api/v1/schools', { name: 'Crash School', code: 'CRASH', country: 'TH' }, admin.token)).schoolId;
  const open = async (by: string, role: string, username: string) => {
    await must(201, base, 'POST', '/api/v1/users', { username, password: PASSWORD, displayName: username, email: `${username}@crash.example`, schoolId: school, role, ...(role === 'learner' && { consentObtainedFrom: 'parent' }) }, by);
    return signIn(base, username, PASSWORD);
  };
  const schoolAdmin = await open(admin.token, 'school_admin', 'crash-admin');
  const teacher = await open(schoolAdmin.token, 'teacher', 'crash-teacher');
  const courseId = (await must<{ courseId: string }>(201, base, 'POST', '/api/v1/courses', { schoolId: school, title: 'Crash', code: 'CRASH-1', subject: 'Physics', selfEnrolment: { enabled: false } }, teacher.token)).courseId;
  await must(201, base, 'POST', `/api/v1/courses/${courseId}/sections`, { title: 'Week 1' }, teacher.token);
  const sectionId = (await must<{ sections: { sectionId: string }[] }>(200, base, 'GET', `/api/v1/courses/${courseId}`, undefined, teacher.token)).sections[0].sectionId;
  const video = (await must<{ resourceId: string }>(201, base, 'POST', `/api/v1/courses/${courseId}/resources`, { sectionId, kind: 'video', title: 'Falling', content: { url: 'https://video.example/f', durationSeconds: 900 } }, teacher.token)).resourceId;
  const learners = await Promise.all(Array.from({ length: 8 }, (_, i) => open(schoolAdmin.token, 'learner', `crash-learner-${i}`)));
  await must(200, base, 'POST', `/api/v1/courses/${courseId}/enrolments/bulk`, { learnerIds: learners.map((l) => l.userId) }, teacher.token);
  // On a busy machine the enrolments may reach the read models after the command's short wait: the access check reads them.
  await waitForProjections(server, 60_000);

  const makeBatch = (learner: number, size: number): Batch => ({
    learner,
    events: Array.from({ length: size }, () => ({ id: randomUUID(), type: 'VideoProgressed', courseId, resourceId: video, positionSeconds: Math.floor(Math.random() * 900), durationSeconds: 900 })),
  });
  const send = async (b: Batch): Promise<number> => {
    try {
      const res = await fetch(`${server!.base}/api/v1/activity`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${learners[b.learner].token}` },
        body: JSON.stringify(b.events.length === 1 ? b.events[0] : { events: b.events }),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0; // the connection died: the outcome is unknown
    }
  };

  // Load: eight loops (one per learner) sending single events and batches, until the server dies.
  const batches: Batch[] = [];
  let dead = false;
  const refusals = new Map<number, number>();
  const loops = learners.map(async (_, learner) => {
    for (let i = 0; !dead; i++) {
      const b = makeBatch(learner, i % 3 === 0 ? 1 : 25);
      batches.push(b);
      const status = await send(b);
      b.outcome = status === 200 || status === 201 ? 'acked' : status === 0 ? 'lost' : 'refused';
      if (b.outcome === 'refused') refusals.set(status, (refusals.get(status) ?? 0) + 1);
    }
  });
  // Kill it once a good amount was acknowledged, while requests are in flight and progress-activity is inside a batch.
  for (let waited = 0; batches.filter((b) => b.outcome === 'acked').length < 60 && waited < 30_000; waited += 20) await sleep(20);
  const stalled = await holdProjectionMidBatch('progress-activity', 'progress_daily_activity');
  await server.kill();
  dead = true;
  await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [stalled]);
  await client.query(RELEASE_HOLD);
  await Promise.all(loops);
  server = undefined;

  const acked = batches.filter((b) => b.outcome === 'acked');
  const lost = batches.filter((b) => b.outcome === 'lost');
  expect(acked.length).toBeGreaterThanOrEqual(60);
  expect(lost.length).toBeGreaterThan(0); // the kill did land mid-load
  expect(Object.fromEntries(refusals)).toEqual({});

  // Restarted on the same database: every acknowledged event is there.
  server = await startServer({ databaseUrl: db.url, env, main });
  const ackedIds = acked.flatMap((b) => b.events.map((e) => e.id));
  expect(await count('SELECT count(*) AS n FROM events WHERE event_id = ANY($1::uuid[])', [ackedIds])).toBe(ackedIds.length);

  // The client retries what got no answer, and (a bad client) some of what was acknowledged too.
  const retried = [...lost, ...acked.slice(0, 10)];
  for (const b of retried) expect([200, 201]).toContain(await send(b));
  const allIds = batches.flatMap((b) => b.events.map((e) => e.id));
  expect(await count('SELECT count(*) AS n FROM events WHERE event_id = ANY($1::uuid[])', [allIds])).toBe(allIds.length);
  // Nothing twice: the activity streams hold exactly the events sent, with gap-free revisions.
  expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id LIKE 'activity-%' AND event_type = 'VideoProgressed'`)).toBe(allIds.length);
  const gaps = await client.query(
    `SELECT stream_id, count(*) AS n, max(stream_revision) AS top FROM events WHERE stream_id LIKE 'activity-%' GROUP BY stream_id HAVING count(*) <> max(stream_revision) + 1`,
  );
  expect(gaps.rows).toEqual([]);

  // The read models after the restart, once caught up: every event of the log counted once, none twice, none skipped.
  await waitForProjections(server, 120_000);
  const perLearner = async (sql: string) => new Map((await client.query<{ user_id: string; n: string }>(sql, [courseId])).rows.map((r) => [r.user_id, Number(r.n)]));
  const logged = await perLearner(
    `SELECT metadata->>'actorId' AS user_id, count(*) AS n FROM events
     WHERE metadata->>'courseId' = $1 AND metadata->>'realActorId' IS NULL AND event_type = 'VideoProgressed' GROUP BY 1`,
  );
  expect([...logged.values()].reduce((a, b) => a + b, 0)).toBe(allIds.length);
  expect(await perLearner(`SELECT user_id::text, sum(events) AS n FROM progress_daily_activity WHERE course_id = $1 AND user_id = ANY (SELECT learner_id FROM course_enrolments WHERE course_id = $1) GROUP BY 1`)).toEqual(logged);
  expect(await count(`SELECT count(*) AS n FROM course_log WHERE course_id = $1 AND event_type = 'VideoProgressed'`, [courseId])).toBe(allIds.length);
  expect(await server.stop()).toBe(0);
  server = undefined;
}, 240_000);
