/**
 * npm run bench:reports [-- --events 1000000 --learners 2000 --courses 50 --schools 5 --samples 60 --term NAME --profile --batch-size N]
 *
 * 1. Writes a term with the fast generator (libs/demo-data) straight into the
 *    event log of a fresh database: accounts, memberships, courses, enrolments,
 *    skill-tagged quizzes, graded attempts and client-side activity, personal
 *    data encrypted, until `events` events.
 * 2. Starts the real server (a child process) on it: its projections catch up
 *    from zero. Prints the catch-up rate of each projection (events of the log
 *    over the time it took to reach the head, all running together) and of all
 *    of them, and where the database's time went meanwhile (pg_stat_statements,
 *    when the server preloads it: the statements of the catch-up by total time,
 *    and the time by read-model table written). With --profile the server runs
 *    under --cpu-prof and the summary of its profile follows.
 * 3. Times each report endpoint (p50 / p95 over `samples` sequential calls,
 *    after a warm-up): course log, usage statistics, class report of a course
 *    of about 200 learners, learner profile, school report.
 * 4. Prints, from the same run, the anchors (a raw single-row INSERT loop of 16
 *    clients and a COPY of rows like the log's, through pg), the catch-up rate
 *    as a ratio to the COPY rate, and the floors of issue 15 (met / NOT met),
 *    with the load average.
 *
 * --term NAME keeps the generated term as the database NAME (and NAME_keys,
 * its master key in .data/bench-term-NAME.key) and, when NAME exists already,
 * generates nothing: each run works on a copy of it (CREATE DATABASE …
 * TEMPLATE), so the catch-up of a 1,000,000-event term can be timed again
 * without writing the term again. Needs DATABASE_URL.
 *
 * --batch-size N starts the server with PROJECTION_BATCH_SIZE=N (else its default), to compare batch sizes.
 * --reports-only (with --term NAME) times the class report on a caught-up
 * copy of the term, for quick iterations on the read side: the first such run
 * is a whole run as above and then keeps its caught-up database as NAME_caught
 * (and NAME_caught_keys); later runs start from a copy of that, wait until the
 * projections are at the head (only what was appended or is new since), and
 * time the class report and, as the same run's reference, the course log page.
 * --statements (with --reports-only) lists each endpoint's statements by calls per call (pg_stat_statements).
 * --main A.js,B.js starts those server builds instead of dist's, alternately
 * (A B A B … over --rounds, default 2), each on the same copy: an A/B of two
 * builds in one run. With --profile each server runs under --cpu-prof and the
 * summary of its profile follows its timings, then that of the samples taken
 * while each endpoint's calls ran (own frames by inclusive time too). Without --reports-only, --main
 * A.js starts that build for the whole run (an A/B of the catch-up: runs of
 * each build, alternated).
 */
import 'reflect-metadata';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { coalescingKeys } from '@learnstream/activity';
import type { AppConfig } from '@learnstream/config';
import { EVENT_TYPES } from '@learnstream/composition';
import { openDataSource } from '@learnstream/database';
import { DEMO_PASSWORD, planTerm, writeTermEvents, type TermSpec } from '@learnstream/demo-data';
import { AppendBatcher, EventLog, EventRegistry, PostgresEventStore } from '@learnstream/event-store';
import { PasswordHasher, UsernameIndex } from '@learnstream/identity';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { ADMIN, BENCH_SQL, api, floor, fmt, freePort, profileClock, freshDatabase, keyStorePool, measureAnchors, serverEnv, signIn, sleep, startServer, summariseProfile, table, type BenchDatabase, type ServerProcess } from './support';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = arg('events', 1_000_000);
const LEARNERS = arg('learners', 2000);
const COURSES = arg('courses', 50);
const SCHOOLS = arg('schools', 5);
const SAMPLES = arg('samples', 60);
const TERM = args.includes('--term') ? args[args.indexOf('--term') + 1] : undefined;
const PROFILE = args.includes('--profile');
const BATCH_SIZE = args.includes('--batch-size') ? args[args.indexOf('--batch-size') + 1] : undefined;
const REPORTS_ONLY = args.includes('--reports-only');
const STATEMENTS = args.includes('--statements');
const MAINS: (string | undefined)[] = args.includes('--main') ? args[args.indexOf('--main') + 1].split(',').map((m) => resolve(m)) : [undefined];
const ROUNDS = arg('rounds', 2);
if (REPORTS_ONLY && TERM === undefined) throw new Error('--reports-only needs --term NAME');
if (TERM !== undefined && !/^[a-z][a-z0-9_]{0,40}$/.test(TERM)) throw new Error('--term takes a database name (lower case letters, digits, _)');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function generate(url: string, masterKey: Buffer, spec: TermSpec) {
  const dataSource = await openDataSource(url, []); // runs the migrations
  await dataSource.destroy();
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  const inner = new PostgresEventStore(pool);
  const batcher = new AppendBatcher(pool, inner, { maxConcurrentCommits: 3, queueMaxEvents: 1_000_000, maxBatchEvents: 20_000 });
  const keyPool = await keyStorePool(url);
  const keys = new KeyStore(keyPool, masterKey);
  await keys.verifyMasterKey();
  const log = new EventLog(batcher, new PersonalDataCipher(coalescingKeys(keys)), new EventRegistry().register(...EVENT_TYPES));
  const config = { masterKey, auth: { argon2: { memoryKiB: 19456, passes: 2 } } } as AppConfig;
  const usernames = new UsernameIndex(pool, config, inner);
  const passwordHash = await new PasswordHasher(config).hash(DEMO_PASSWORD);
  const plan = planTerm(spec);
  let last = 0;
  const result = await writeTermEvents(log, plan, {
    targetEvents: EVENTS,
    passwordHash,
    claimUsername: (username, userId) => usernames.claim(username, userId),
    eventsPerCall: 500,
    concurrency: 48,
    onProgress: (n) => {
      if (n - last >= 200_000) {
        last = n;
        process.stdout.write(`  ${fmt(n)} events written\n`);
      }
    },
  });
  await batcher.drain();
  await inner.close();
  await keys.close();
  await keyPool.end();
  await pool.end();
  return { plan, result };
}

/**
 * Waits until every projection's checkpoint is at the log's head (nothing is
 * appended meanwhile), noting when each got there. Reads the checkpoints
 * directly (one cheap statement every 250 ms), not the operations API, whose
 * lag counts would add their own load to what is measured.
 */
async function catchUp(db: BenchDatabase, server: ServerProcess, total: number): Promise<{ perProjection: Map<string, number>; all: number }> {
  const started = Date.now();
  const done = new Map<string, number>();
  const [head] = await db.query<{ c: string; p: string }>('SELECT transaction_id::text AS c, global_position::text AS p FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1');
  for (;;) {
    const rows = await db.query<{ name: string; at_head: boolean }>(
      `SELECT name, inline OR (position_commit, position_prepare) >= ($1::bigint, $2::bigint) AS at_head FROM projection_checkpoints`,
      [head.c, head.p],
    );
    for (const p of rows) if (p.at_head && !done.has(p.name)) done.set(p.name, (Date.now() - started) / 1000);
    if (rows.length && done.size === rows.length) return { perProjection: done, all: (Date.now() - started) / 1000 };
    if (Date.now() - started > 3_600_000) throw new Error(`catch-up took over an hour (${total} events)`);
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`the server ended during the catch-up (${server.child.exitCode ?? server.child.signalCode})`);
    await sleep(250);
  }
}

/** Where the database's time went since the reset: the top statements, and the time by table written. */
async function statementReport(db: BenchDatabase): Promise<[string, string][]> {
  const rows = await db.query<{ query: string; calls: string; ms: number; rows: string }>(
    `SELECT query, calls::text, total_exec_time AS ms, rows::text FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC`,
  );
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const byTable = new Map<string, { ms: number; rows: number }>();
  for (const r of rows) {
    const m = /^\s*(?:WITH[\s\S]*?\)\s*)?(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)/i.exec(r.query);
    const key = m ? `${m[1].split(' ')[0].toUpperCase()} ${m[2]}` : /^\s*SELECT/i.test(r.query) ? 'SELECT (all)' : 'other (BEGIN, COMMIT, SET, …)';
    const t = byTable.get(key) ?? { ms: 0, rows: 0 };
    t.ms += r.ms;
    t.rows += Number(r.rows);
    byTable.set(key, t);
  }
  const pct = (ms: number) => `${((100 * ms) / total).toFixed(1)} %`;
  return [
    ['database time during the catch-up (pg_stat_statements)', `${fmt(total / 1000, 1)} s in ${fmt(rows.reduce((a, r) => a + Number(r.calls), 0))} statements`],
    ...[...byTable].sort((a, b) => b[1].ms - a[1].ms).slice(0, 18).map(([k, v]): [string, string] => [`  ${k}`, `${fmt(v.ms / 1000, 1)} s (${pct(v.ms)}), ${fmt(v.rows)} rows`]),
    ['  top statements', ''],
    ...rows.slice(0, 8).map((r): [string, string] => [`    ${r.query.replace(/\s+/g, ' ').slice(0, 90)}`, `${fmt(r.ms / 1000, 1)} s (${pct(r.ms)}), ${fmt(Number(r.calls))} calls`]),
  ];
}

/** The term's database: generated (into NAME with --term, kept), or reused from NAME. */
async function termDatabase(masterKey: Buffer, spec: TermSpec): Promise<{ generated: Awaited<ReturnType<typeof generate>>['result'] | null; masterKey: Buffer }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('--term needs DATABASE_URL');
  const keyFile = resolve(`.data/bench-term-${TERM}.key`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TERM])).rowCount === 1;
    if (exists && existsSync(keyFile)) {
      console.log(`reusing the term ${TERM} (generated by an earlier run; --events and the term's shape are that run's)`);
      return { generated: null, masterKey: Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64') };
    }
    await admin.query(`DROP DATABASE IF EXISTS ${TERM}`);
    await admin.query(`DROP DATABASE IF EXISTS ${TERM}_keys`);
    await admin.query(`CREATE DATABASE ${TERM}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${TERM}`;
  console.log(`generating ${fmt(EVENTS)} events into ${TERM} (kept): ${SCHOOLS} schools, ${LEARNERS} learners, ${COURSES} courses …`);
  const { result } = await generate(url.toString(), masterKey, spec);
  mkdirSync(resolve('.data'), { recursive: true });
  writeFileSync(keyFile, masterKey.toString('base64'));
  return { generated: result, masterKey };
}

async function time(base: string, path: string, token: string): Promise<{ p50: number; p95: number; status: number }> {
  let status = 0;
  for (let i = 0; i < 5; i++) status = (await api(base, 'GET', path, undefined, token)).status;
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    ms.push(performance.now() - t);
    status = res.status;
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)], p95: ms[Math.floor(ms.length * 0.95) - 1], status };
}

/** User and system CPU time of a process so far (Linux /proc), in ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * The CPU time so far of the backends connected to the bench database (the server's pool: its connections stay open
 * through the catch-up), from /proc; null when PostgreSQL runs elsewhere (its processes are not visible here).
 */
async function backendsCpuMs(db: BenchDatabase): Promise<number | null> {
  const pids = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  const cpu = pids.map(({ pid }) => {
    try {
      return processCpuMs(pid);
    } catch {
      return null; // ended meanwhile, or not on this machine
    }
  });
  return cpu.some((ms) => ms !== null) ? cpu.reduce<number>((sum, ms) => sum + (ms ?? 0), 0) : null;
}

/** Resets pg_stat_statements for the bench database only (another run's figures on the same server stay); false without it. */
async function resetDatabaseStatements(db: BenchDatabase): Promise<boolean> {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
    return true;
  } catch {
    return false;
  }
}

/** The execution time of the bench database's statements since the reset (pg_stat_statements), in ms. */
async function databaseMs(db: BenchDatabase): Promise<number> {
  const [row] = await db.query<{ ms: number | null }>(
    `SELECT sum(total_exec_time) AS ms FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return row?.ms ?? 0;
}

/** The statements of the bench database since the reset (pg_stat_statements): how many were run, and the most called. */
async function databaseStatements(db: BenchDatabase, top: number): Promise<{ calls: number; list: { calls: number; ms: number; query: string }[] }> {
  const rows = await db.query<{ calls: string; ms: number; query: string }>(
    `SELECT calls, total_exec_time AS ms, query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC, total_exec_time DESC`,
  );
  const list = rows.map((r) => ({ calls: Number(r.calls), ms: r.ms, query: r.query.replace(/\s+/g, ' ') }));
  return { calls: list.reduce((sum, r) => sum + r.calls, 0), list: list.slice(0, top) };
}

/** Where --reports-only keeps the caught-up term. */
const caughtName = () => `${TERM}_caught`;

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Keeps the run's caught-up database (and its key store) as NAME_caught: the server is stopped, the bench's own connections to it are closed here. */
async function keepCaughtUp(db: BenchDatabase): Promise<void> {
  await withAdmin(async (admin) => {
    for (const [from, to] of [[db.name, caughtName()], [`${db.name}_keys`, `${caughtName()}_keys`]]) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [from]);
      await admin.query(`DROP DATABASE IF EXISTS ${to}`);
      await admin.query(`CREATE DATABASE ${to} TEMPLATE ${from}`);
    }
  });
  console.log(`kept the caught-up term as ${caughtName()}: --reports-only runs start from a copy of it`);
}

/**
 * --reports-only on a kept caught-up term: for each server build (--main), alternately, over --rounds: start it on
 * the copy, wait until its projections are at the head, time the class report and the course log page.
 */
async function reportsOnly(masterKey: Buffer, plan: ReturnType<typeof planTerm>): Promise<void> {
  const db = await freshDatabase('bench-reports', 54396, caughtName());
  const env = serverEnv(db.url, await freePort());
  env.MASTER_KEY = masterKey.toString('base64');
  const course = plan.courses.reduce((a, b) => (b.learners.length > a.learners.length ? b : a));
  const paths: [string, string][] = [
    [`class report (${course.learners.length} learners)`, `/api/v1/reports/courses/${course.courseId}`],
    ['course log (page of 50)', `/api/v1/courses/${course.courseId}/logs?limit=50`],
  ];
  const rows: [string, string][] = [];
  let server: ServerProcess | undefined;
  try {
    const total = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events'))[0].n);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const main of MAINS) {
        const profileDir = PROFILE ? resolve(`.data/bench-reports-profile-${round}-${MAINS.indexOf(main)}`) : undefined;
        server = await startServer({ databaseUrl: db.url, env, main, startTimeoutMs: 3_600_000, profileDir });
        const { all } = await catchUp(db, server, total);
        const teacher = await signIn(server.base, course.teacher.username, DEMO_PASSWORD);
        const windows: [string, [number, number]][] = [];
        for (const [label, path] of paths) {
          // Beside the times (which the machine's load moves): the server's CPU and the database's execution time per call.
          const statements = await resetDatabaseStatements(db);
          const cpu = processCpuMs(server.child.pid!);
          const started = profileClock();
          const t = await time(server.base, path, teacher.token);
          windows.push([label, [started, profileClock()]]);
          const cpuPerCall = (processCpuMs(server.child.pid!) - cpu) / (SAMPLES + 5);
          const dbPerCall = statements ? (await databaseMs(db)) / (SAMPLES + 5) : NaN;
          const run = statements ? await databaseStatements(db, 30) : { calls: NaN, list: [] };
          rows.push([
            `round ${round}, ${main ?? 'dist'}: ${label}`,
            t.status === 200
              ? `p50 ${fmt(t.p50, 1)} ms, p95 ${fmt(t.p95, 1)} ms; per call: server CPU ${fmt(cpuPerCall, 1)} ms, database ${fmt(dbPerCall, 1)} ms, ${fmt(run.calls / (SAMPLES + 5), 1)} statements (load average ${load()})`
              : `HTTP ${t.status}`,
          ]);
          if (STATEMENTS) {
            for (const r of run.list) rows.push([`    ${fmt(r.calls / (SAMPLES + 5), 2)} a call, ${fmt(r.ms / r.calls, 3)} ms each`, r.query.slice(0, 110)]);
          }
        }
        rows.push([`  (projections at the head ${fmt(all, 1)} s after the server answered)`, '']);
        await server.stop();
        server = undefined;
        if (profileDir) {
          console.log(`\nWhere the server's time went, ${main ?? 'dist'} round ${round} (start-up, catch-up of what is new, the report calls):\n${summariseProfile(profileDir)}`);
          for (const [label, window] of windows) console.log(`\nWhile the ${label} calls ran, ${main ?? 'dist'} round ${round}:\n${summariseProfile(profileDir, 30, window)}`);
        }
      }
    }
    console.log(table(`Class report on the caught-up term ${TERM} (${fmt(total)} events), ${SAMPLES} sequential calls per endpoint`, rows));
  } catch (error) {
    console.error(error);
    if (server) console.error(server.output().slice(-4000));
    process.exitCode = 1;
  } finally {
    await server?.kill();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const spec: TermSpec = {
    seed: 2025,
    schools: SCHOOLS,
    learnersPerSchool: Math.round(LEARNERS / SCHOOLS),
    teachersPerSchool: 6,
    coursesPerSchool: Math.round(COURSES / SCHOOLS),
    coursesPerLearner: 5,
    quizzesPerCourse: 3,
    questionsPerQuiz: 8,
    parentsPerSchool: 20,
    start: '2025-06-02T00:00:00.000Z',
    weeks: 12,
  };
  const term = TERM ? await termDatabase(randomBytes(32), spec) : null;
  if (REPORTS_ONLY && term && (await withAdmin(async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [caughtName()])).rowCount === 1))) {
    return reportsOnly(term.masterKey, planTerm(spec));
  }
  const db = await freshDatabase('bench-reports', 54396, TERM);
  const env = serverEnv(db.url, await freePort());
  if (term) env.MASTER_KEY = term.masterKey.toString('base64');
  if (BATCH_SIZE !== undefined) env.PROJECTION_BATCH_SIZE = BATCH_SIZE;
  const plan = planTerm(spec);
  let server: ServerProcess | undefined;
  try {
    let result = term?.generated ?? null;
    if (!term) {
      console.log(`generating ${fmt(EVENTS)} events: ${SCHOOLS} schools, ${LEARNERS} learners, ${COURSES} courses …`);
      result = (await generate(db.url, Buffer.from(env.MASTER_KEY, 'base64'), spec)).result;
    }
    const total = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events'))[0].n);
    if (result) console.log(`  ${fmt(result.events)} events in ${fmt(result.seconds, 1)} s (${fmt(result.events / result.seconds)} events/s, load average ${load()}): ${Object.entries(result.byPhase).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);

    const [sample] = await db.query<{ data: unknown; metadata: unknown }>(`SELECT ${BENCH_SQL} data, metadata FROM events WHERE event_type = 'CourseViewed' LIMIT 1`);
    const anchors = await measureAnchors(db, sample ?? { data: {}, metadata: {} });
    const anchorLoad = load();
    console.log(`  anchors: raw INSERT ${fmt(anchors.insertPerSecond)}/s (16 clients), COPY ${fmt(anchors.copyRowsPerSecond)} rows/s (load average ${anchorLoad})`);
    console.log('starting the server: its projections catch up from zero (the inline read models before it listens) …');
    // Timed from the start: the inline read models are caught up before the server answers.
    const withStatements = await resetDatabaseStatements(db);
    const profileDir = PROFILE ? resolve('.data/bench-reports-profile') : undefined;
    const started = Date.now();
    server = await startServer({ databaseUrl: db.url, env, main: MAINS[0], startTimeoutMs: 3_600_000, profileDir });
    const listening = (Date.now() - started) / 1000;
    const { perProjection, all: afterListening } = await catchUp(db, server, total);
    const all = listening + afterListening;
    const catchUpLoad = load();
    // Per 1,000 events of the log, what the load average does not move: the server's CPU (start-up included) and the database's execution time.
    const serverCpuMs = processCpuMs(server.child.pid!);
    const catchUpDbMs = withStatements ? await databaseMs(db) : NaN;
    const backendCpuMs = await backendsCpuMs(db);
    const statements = withStatements ? await statementReport(db) : [['database time during the catch-up', 'pg_stat_statements not preloaded: not measured'] as [string, string]];
    const rssAfterCatchUp = server.peakRssMiB();
    const deadLetters = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM projection_dead_letters'))[0].n);

    // Report endpoints, as the people who may read them.
    const course = plan.courses.reduce((a, b) => (b.learners.length > a.learners.length ? b : a));
    const school = plan.schools[course.schoolIndex];
    const teacher = await signIn(server.base, course.teacher.username, DEMO_PASSWORD);
    const schoolAdmin = await signIn(server.base, school.admin.username, DEMO_PASSWORD);
    const admin = await signIn(server.base, ADMIN.username, ADMIN.password);
    const learner = course.learners[0];
    const endpoints: [string, string, string][] = [
      ['course log (page of 50)', `/api/v1/courses/${course.courseId}/logs?limit=50`, teacher.token],
      ['course log, one learner', `/api/v1/courses/${course.courseId}/logs?user=${learner.userId}&limit=50`, teacher.token],
      ['usage statistics (12 weeks by school)', `/api/v1/reports/usage?from=2025-06-02&to=2025-08-24&granularity=week&by=school`, admin.token],
      [`class report (${course.learners.length} learners)`, `/api/v1/reports/courses/${course.courseId}`, teacher.token],
      ['learner profile', `/api/v1/reports/learners/${learner.userId}`, teacher.token],
      ['school report', `/api/v1/reports/schools/${school.schoolId}`, schoolAdmin.token],
    ];
    const timings: [string, string][] = [];
    const p95 = new Map<string, number>();
    for (const [label, path, token] of endpoints) {
      const t = await time(server.base, path, token);
      if (t.status === 200) p95.set(path, t.p95);
      timings.push([`${label}`, t.status === 200 ? `p50 ${fmt(t.p50, 1)} ms, p95 ${fmt(t.p95, 1)} ms` : `HTTP ${t.status} (not measured)`]);
    }
    const timingLoad = load();
    const classReport = p95.get(endpoints[3][1]) ?? NaN;
    const usage = p95.get(endpoints[2][1]) ?? NaN;
    const catchUpRate = total / all;

    const rows: [string, string][] = [
      ['server start (migrations, inline read models caught up) until it answered', `${fmt(listening, 1)} s`],
      ['anchor: raw single-row INSERT, 16 clients (pg)', `${fmt(anchors.insertPerSecond)} rows/s (load average ${anchorLoad})`],
      ['anchor: COPY of rows like the log\'s (pg-copy-streams)', `${fmt(anchors.copyRowsPerSecond)} rows/s (${fmt(anchors.copyRows)} rows)`],
      ['events in the log', fmt(total)],
      ['generation (fast path, sealed, group commit)', result ? `${fmt(result.events / result.seconds)} events/s` : `reused the term ${TERM}`],
      ['catch-up, all projections together', `${fmt(all, 1)} s → ${fmt(catchUpRate)} events/s of log, ${(catchUpRate / anchors.copyRowsPerSecond).toFixed(3)} × COPY (${perProjection.size} projections: ${fmt((total * perProjection.size) / all)} event applications/s; batches of ${BATCH_SIZE ?? 'the default size'}; load average ${catchUpLoad})`],
      ['  per 1,000 events of the log', `server CPU ${fmt((1000 * serverCpuMs) / total, 1)} ms (start-up included), database execution ${fmt((1000 * catchUpDbMs) / total, 1)} ms, CPU of the server's open PostgreSQL connections ${backendCpuMs === null ? 'not measured (another machine)' : `${fmt((1000 * backendCpuMs) / total, 1)} ms`}`],
      ...[...perProjection].sort((a, b) => a[1] - b[1]).map(([name, s]): [string, string] => [`  ${name} at the head (after the server answered)`, `${fmt(s, 1)} s`]),
      ...statements,
      ['dead letters after catch-up', String(deadLetters)],
      ['server RSS (peak, catch-up)', `${rssAfterCatchUp} MiB`],
      ...timings.map(([k, v]): [string, string] => [`GET ${k}`, v]),
    ];
    console.log(table(`Learnstream reports benchmark: ${fmt(total)} events, ${LEARNERS} learners, ${COURSES} courses, ${SCHOOLS} schools, ${SAMPLES} sequential calls per endpoint`, rows));
    const size = total >= 1_000_000 ? '' : ` (this term: ${fmt(total)} events; the floors are for 1,000,000)`;
    console.log(table(`Floors of issue 15${size}; load average ${timingLoad}`, [
      ['catch-up of all projections ÷ COPY ≥ 0.1', `${(catchUpRate / anchors.copyRowsPerSecond).toFixed(3)}: ${floor(catchUpRate >= 0.1 * anchors.copyRowsPerSecond)}`],
      [`class report (${course.learners.length} learners) p95 ≤ 30 ms`, `${fmt(classReport, 1)} ms: ${floor(classReport <= 30)}`],
      ['usage statistics p95 ≤ 50 ms', `${fmt(usage, 1)} ms: ${floor(usage <= 50)}`],
      ['server RSS ≤ 300 MB (here: peak during catch-up)', `${rssAfterCatchUp} MiB: ${floor(rssAfterCatchUp * 1.048576 <= 300)}`],
    ]));
    await server.stop();
    server = undefined;
    if (REPORTS_ONLY) await keepCaughtUp(db);
    if (profileDir) console.log(`\nWhere the server's time went (node --cpu-prof, start-up, catch-up and the report calls):\n${summariseProfile(profileDir)}`);
  } catch (error) {
    console.error(error);
    if (server) console.error(server.output().slice(-4000));
    process.exitCode = 1;
  } finally {
    await server?.kill();
    await db.drop();
  }
}

void main();
