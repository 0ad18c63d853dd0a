/**
 * npm run bench:reports [-- --events 1000000 --learners 2000 --courses 50 --schools 5 --samples 60]
 *
 * 1. Writes a term with the fast generator (libs/demo-data) straight into the
 *    event log of a fresh database: accounts, memberships, courses, enrolments,
 *    skill-tagged quizzes, graded attempts and client-side activity, personal
 *    data encrypted, until `events` events.
 * 2. Starts the real server (a child process) on it: its projections catch up
 *    from zero. Prints the catch-up rate of each projection (events of the log
 *    over the time it took to reach the head, all running together) and of all
 *    of them.
 * 3. Times each report endpoint (p50 / p95 over `samples` sequential calls,
 *    after a warm-up): course log, usage statistics, class report of a course
 *    of about 200 learners, learner profile, school report.
 * 4. Prints, from the same run, the anchors (a raw single-row INSERT loop of 16
 *    clients and a COPY of rows like the log's, through pg), the catch-up rate
 *    as a ratio to the COPY rate, and the floors of issue 15 (met / NOT met),
 *    with the load average.
 */
import 'reflect-metadata';
import pg from 'pg';
import { coalescingKeys } from '@learnstream/activity';
import type { AppConfig } from '@learnstream/config';
import { EVENT_TYPES } from '@learnstream/composition';
import { openDataSource } from '@learnstream/database';
import { DEMO_PASSWORD, planTerm, writeTermEvents, type TermSpec } from '@learnstream/demo-data';
import { AppendBatcher, EventLog, EventRegistry, PostgresEventStore } from '@learnstream/event-store';
import { PasswordHasher, UsernameIndex } from '@learnstream/identity';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import { loadavg } from 'node:os';
import { ADMIN, BENCH_SQL, api, floor, fmt, freePort, freshDatabase, keyStorePool, measureAnchors, serverEnv, signIn, sleep, startServer, table, type ServerProcess } from './support';

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

interface ProjectionRow {
  name: string;
  lag: number;
  eventsHandled: number;
}

async function catchUp(server: ServerProcess, total: number): Promise<{ perProjection: Map<string, number>; all: number }> {
  const started = Date.now();
  const done = new Map<string, number>();
  for (;;) {
    const res = await api<{ projections: ProjectionRow[] }>(server.base, 'GET', '/api/v1/admin/projections', undefined, server.opsToken);
    const rows = res.body.projections;
    for (const p of rows) if (p.lag === 0 && !done.has(p.name)) done.set(p.name, (Date.now() - started) / 1000);
    if (rows.length && done.size === rows.length) return { perProjection: done, all: (Date.now() - started) / 1000 };
    if (Date.now() - started > 3_600_000) throw new Error(`catch-up took over an hour (${total} events)`);
    await sleep(500);
  }
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
  const db = await freshDatabase('bench-reports', 54396);
  const env = serverEnv(db.url, await freePort());
  let server: ServerProcess | undefined;
  try {
    console.log(`generating ${fmt(EVENTS)} events: ${SCHOOLS} schools, ${LEARNERS} learners, ${COURSES} courses …`);
    const { plan, result } = await generate(db.url, Buffer.from(env.MASTER_KEY, 'base64'), spec);
    const total = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events'))[0].n);
    console.log(`  ${fmt(result.events)} events in ${fmt(result.seconds, 1)} s (${fmt(result.events / result.seconds)} events/s): ${Object.entries(result.byPhase).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);

    const [sample] = await db.query<{ data: unknown; metadata: unknown }>(`SELECT ${BENCH_SQL} data, metadata FROM events WHERE event_type = 'CourseViewed' LIMIT 1`);
    const anchors = await measureAnchors(db, sample ?? { data: {}, metadata: {} });
    const anchorLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`  anchors: raw INSERT ${fmt(anchors.insertPerSecond)}/s (16 clients), COPY ${fmt(anchors.copyRowsPerSecond)} rows/s (load average ${anchorLoad})`);
    console.log('starting the server: its projections catch up from zero (the inline read models before it listens) …');
    // Timed from the start: the inline read models are caught up before the server answers.
    const started = Date.now();
    server = await startServer({ databaseUrl: db.url, env, startTimeoutMs: 3_600_000 });
    const listening = (Date.now() - started) / 1000;
    const { perProjection, all: afterListening } = await catchUp(server, total);
    const all = listening + afterListening;
    const catchUpLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
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
    const timingLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
    const classReport = p95.get(endpoints[3][1]) ?? NaN;
    const usage = p95.get(endpoints[2][1]) ?? NaN;
    const catchUpRate = total / all;

    const rows: [string, string][] = [
      ['server start (migrations, inline read models caught up) until it answered', `${fmt(listening, 1)} s`],
      ['anchor: raw single-row INSERT, 16 clients (pg)', `${fmt(anchors.insertPerSecond)} rows/s (load average ${anchorLoad})`],
      ['anchor: COPY of rows like the log\'s (pg-copy-streams)', `${fmt(anchors.copyRowsPerSecond)} rows/s (${fmt(anchors.copyRows)} rows)`],
      ['events in the log', fmt(total)],
      ['generation (fast path, sealed, group commit)', `${fmt(result.events / result.seconds)} events/s`],
      ['catch-up, all projections together', `${fmt(all, 1)} s → ${fmt(catchUpRate)} events/s of log, ${(catchUpRate / anchors.copyRowsPerSecond).toFixed(3)} × COPY (${perProjection.size} projections: ${fmt((total * perProjection.size) / all)} event applications/s; load average ${catchUpLoad})`],
      ...[...perProjection].sort((a, b) => a[1] - b[1]).map(([name, s]): [string, string] => [`  ${name} (after the server answered)`, `${fmt(s, 1)} s`]),
      ['dead letters after catch-up', String(deadLetters)],
      ['server RSS (peak, catch-up)', `${rssAfterCatchUp} MiB`],
      ...timings.map(([k, v]): [string, string] => [`GET ${k}`, v]),
    ];
    console.log(table(`Learnstream reports benchmark: ${fmt(total)} events, ${LEARNERS} learners, ${COURSES} courses, ${SCHOOLS} schools, ${SAMPLES} sequential calls per endpoint`, rows));
    const term = total >= 1_000_000 ? '' : ` (this term: ${fmt(total)} events; the floors are for 1,000,000)`;
    console.log(table(`Floors of issue 15${term}; load average ${timingLoad}`, [
      ['catch-up of all projections ÷ COPY ≥ 0.1', `${(catchUpRate / anchors.copyRowsPerSecond).toFixed(3)}: ${floor(catchUpRate >= 0.1 * anchors.copyRowsPerSecond)}`],
      [`class report (${course.learners.length} learners) p95 ≤ 30 ms`, `${fmt(classReport, 1)} ms: ${floor(classReport <= 30)}`],
      ['usage statistics p95 ≤ 50 ms', `${fmt(usage, 1)} ms: ${floor(usage <= 50)}`],
      ['server RSS ≤ 300 MB (here: peak during catch-up)', `${rssAfterCatchUp} MiB: ${floor(rssAfterCatchUp * 1.048576 <= 300)}`],
    ]));
    await server.stop();
    server = undefined;
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
