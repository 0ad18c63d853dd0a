/**
 * npm run bench:ingest [-- --duration 20 --connections 32 --batch 100 --batch-connections 8 --learners 100 --profile]
 * npm run bench:ingest -- --single-only [--profile]  phase 1 alone (no batches, no idle wait): the profile is then that of single events
 * npm run bench:ingest -- --only batch [--profile]  phase 2 alone (--only single: --single-only); with --profile, each phase's window is summarised too
 * npm run bench:ingest -- --soak --duration 600     mixed load (ingest, reads, reports) for 10 minutes
 *   [--idle 60] [--heap-snapshots]
 * npm run bench:ingest -- --loop [--single-only]     the server's event loop over each load: delay and collections (loop-monitor.ts)
 *
 * Starts the real server (dist/, a child process) on a fresh database
 * (DATABASE_URL's server, else an embedded PostgreSQL), builds a course with
 * learners over HTTP, then drives POST /api/v1/activity with autocannon:
 *   1. single-event requests (VideoProgressed), `connections` at once;
 *   2. batches of `batch` events (PageTimeRecorded), `batch-connections` at once.
 * Prints requests/s, events/s, p50/p99 latency, errors, the server's RSS and
 * projection lag, then counts the events back: every event of a 2xx answer
 * must be in the log, and nothing else. With --profile the server runs under
 * --cpu-prof and the top frames are summarised.
 *
 * Memory: the server's RSS at the start (after the warm-up), at the end of the
 * load and after `--idle` seconds without load; with --soak, after the first
 * minute of load and at its end too (target: the end within 20 % of the first
 * minute). --heap-snapshots writes V8 heap snapshots at those points (node
 * --heapsnapshot-signal) into .data/bench-ingest-heap and prints what grew.
 *
 * --loop: the server is started with loop-monitor.ts preloaded, and each run
 * says what its event loop went through while the load ran: the delay
 * (monitorEventLoopDelay), scavenges and mark-compacts (a mark-compact holds
 * every request in flight up: the periodic part of the single-event tail).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { ADMIN, BENCH_SQL, summariseLoop, PASSWORD, SERVER_NODE_ARGS, SERVER_NODE_ENV, caughtUp, cpuMeter, floor, fmt, freePort, measureAnchors, serverConnections, statementCounter, type BenchDatabase, type StatementCounter, type CpuShare, freshDatabase, heapGrowth, inBatches, must, projectionLag, signIn, sleep, startServer, profileClock, summariseProfile, table, waitForProjections, type ServerProcess } from './support';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DURATION = arg('duration', 20);
const CONNECTIONS = arg('connections', 32);
const BATCH = arg('batch', 100);
const BATCH_CONNECTIONS = arg('batch-connections', 8);
const LEARNERS = arg('learners', 100);
const PROFILE = args.includes('--profile');
const SOAK = args.includes('--soak');
const IDLE = arg('idle', 60);
const HEAP = args.includes('--heap-snapshots');
const LOOP = args.includes('--loop');
const LOOP_FILE = resolve('.data/bench-ingest-loop.jsonl');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (ONLY !== undefined && ONLY !== 'single' && ONLY !== 'batch') throw new Error(`--only takes single or batch, not ${ONLY}`);
const SINGLE_ONLY = args.includes('--single-only') || ONLY === 'single';
const HEAP_DIR = resolve('.data/bench-ingest-heap');
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');


interface World {
  teacher: string;
  courseId: string;
  video: string;
  page: string;
  learners: { userId: string; token: string }[];
}

async function buildWorld(server: ServerProcess): Promise<World> {
  const base = server.base;
  const admin = await signIn(base, ADMIN.username, ADMIN.password);
  const school = (await must<{ schoolId: string }>(201, base, 'POST', '/api/v1/schools', { name: 'Bench School', code: 'BENCH', country: 'TH' }, admin.token)).schoolId;
  const open = async (role: string, username: string) => {
    await must(201, base, 'POST', '/api/v1/users', {
      username, password: PASSWORD, displayName: username, email: `${username}@bench.example`, schoolId: school, role,
      ...(role === 'learner' && { consentObtainedFrom: 'parent' }),
    }, schoolAdminToken);
    return signIn(base, username, PASSWORD);
  };
  let schoolAdminToken = admin.token;
  schoolAdminToken = (await open('school_admin', 'bench-school-admin')).token;
  const teacher = await open('teacher', 'bench-teacher');
  const courseId = (await must<{ courseId: string }>(201, base, 'POST', '/api/v1/courses', { schoolId: school, title: 'Bench course', code: 'BENCH-1', subject: 'Science', selfEnrolment: { enabled: false } }, teacher.token)).courseId;
  await must(201, base, 'POST', `/api/v1/courses/${courseId}/sections`, { title: 'Week 1' }, teacher.token);
  const sectionId = (await must<{ sections: { sectionId: string }[] }>(200, base, 'GET', `/api/v1/courses/${courseId}`, undefined, teacher.token)).sections[0].sectionId;
  const video = (await must<{ resourceId: string }>(201, base, 'POST', `/api/v1/courses/${courseId}/resources`, { sectionId, kind: 'video', title: 'Lecture', content: { url: 'https://video.example/1', durationSeconds: 3600 } }, teacher.token)).resourceId;
  const page = (await must<{ resourceId: string }>(201, base, 'POST', `/api/v1/courses/${courseId}/resources`, { sectionId, kind: 'page', title: 'Notes', content: { body: '<p>Notes</p>' } }, teacher.token)).resourceId;
  const learners = await inBatches(Array.from({ length: LEARNERS }, (_, i) => i), 10, (i) => open('learner', `bench-learner-${i}`));
  await must(200, base, 'POST', `/api/v1/courses/${courseId}/enrolments/bulk`, { learnerIds: learners.map((l) => l.userId) }, teacher.token);
  return { teacher: teacher.token, courseId, video, page, learners };
}

interface Run {
  label: string;
  /** Ids of the events of every 2xx answer. */
  acked: string[];
  cpu: CpuShare;
  result: autocannon.Result;
  recorded: number;
  refused: number;
  itemsPerRequest: number;
  rssMiB: number;
  lagAtEnd: number;
  /** SQL statements the server sent from the start of the run until its projections had caught up (NaN: not counted). */
  statements: number;
  /** Seconds from the end of the load until the projections had caught up. */
  catchUp: number;
  /** Server CPU time (ms) from the start of the load until the projections had caught up (NaN: not waited for). */
  serverMsCaughtUp: number;
  /** The server's connections at the end of the load. */
  connections: number;
  /** When the load ran, on the clock of the server's CPU profile. */
  window: [number, number];
  /** When the load ran, on the wall clock (Date.now()). */
  wall: [number, number];
}

/** What the run is measured with: statements counted, catch-up read from the database. */
interface Meters {
  db: BenchDatabase;
  counter: StatementCounter;
}

async function drive(server: ServerProcess, world: World, label: string, connections: number, duration: number, items: (courseId: string) => Record<string, unknown>[], meters?: Meters): Promise<Run> {
  let k = 0;
  let recorded = 0;
  let refused = 0;
  const acked: string[] = [];
  const cpu = cpuMeter(server.pid);
  const itemsPerRequest = items(world.courseId).length;
  await meters?.counter.reset();
  let connectionsAtEnd = NaN;
  // The server's connections, sampled one second before the load ends.
  const started = profileClock();
  const wallStarted = Date.now();
  const sampled = meters ? delay(Math.max(0, duration - 1) * 1000).then(async () => (connectionsAtEnd = await serverConnections(meters.db))) : Promise.resolve(0);
  const result = await autocannon({
    url: server.base,
    connections,
    duration,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/activity',
        setupRequest: (req, context) => {
          const learner = world.learners[k++ % world.learners.length];
          const events = items(world.courseId);
          (context as { ids?: string[] }).ids = events.map((e) => e.id as string);
          return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${learner.token}`, 'user-agent': 'bench/1.0' }, body: JSON.stringify(events.length === 1 ? events[0] : { events }) };
        },
        onResponse: (status, body, context) => {
          if (status === 201) {
            recorded += JSON.parse(body).recorded;
            acked.push(...((context as { ids?: string[] }).ids ?? []));
          }
          else if (status === 429) refused += 1;
        },
      },
    ],
  });
  const share = cpu();
  const window: [number, number] = [started, profileClock()];
  const wall: [number, number] = [wallStarted, Date.now()];
  await sampled;
  // Statements: from the start of the load until the projections have applied it (read from the database, not counted).
  const catchUp = meters ? await caughtUp(meters.db) : NaN;
  const serverMsCaughtUp = meters ? cpu().serverMs : NaN;
  const statements = meters ? await meters.counter.count() : NaN;
  const top = meters ? await meters.counter.top(15) : [];
  if (top.length) console.log(`  ${label}: statements per event by kind (pg_stat_statements):\n${top.map((t) => `    ${fmt(t.calls / Math.max(1, recorded), 3).padStart(7)}  ${t.query}`).join('\n')}`);
  const lag = await projectionLag(server);
  return { label, acked, cpu: share, result, recorded, refused, itemsPerRequest, rssMiB: server.peakRssMiB(), lagAtEnd: lag.maxLag, statements, catchUp, serverMsCaughtUp, connections: connectionsAtEnd, window, wall };
}

function report(run: Run): [string, string][] {
  const r = run.result;
  const seconds = r.duration;
  const ok = r['2xx'];
  return [
    [`${run.label}: requests/s (2xx)`, `${fmt(ok / seconds)}   (${fmt(ok)} in ${fmt(seconds, 1)} s, ${r.connections} connections)`],
    [`${run.label}: events/s`, fmt(run.recorded / seconds)],
    [`${run.label}: latency p50 / p90 / p99 / max`, `${r.latency.p50} / ${r.latency.p90} / ${r.latency.p99} / ${r.latency.max} ms`],
    [`${run.label}: errors`, `${r.errors} errors, ${r.timeouts} timeouts, ${run.refused} × 429, ${r.non2xx - run.refused} other non-2xx`],
    [`${run.label}: server RSS (peak)`, `${run.rssMiB} MiB`],
    [`${run.label}: CPU of all cores: server / load generator / rest (PostgreSQL, other processes)`, `${run.cpu.server} % / ${run.cpu.bench} % / ${run.cpu.other} %`],
    [`${run.label}: server CPU time per request / per 1,000 events (whatever the load)`, `${fmt(run.cpu.serverMs / Math.max(1, ok), 2)} ms / ${fmt((1000 * run.cpu.serverMs) / Math.max(1, run.recorded))} ms`],
    [`${run.label}: server CPU time per 1,000 events, until the projections had caught up`, Number.isNaN(run.serverMsCaughtUp) ? 'not measured' : `${fmt((1000 * run.serverMsCaughtUp) / Math.max(1, run.recorded))} ms`],
    [`${run.label}: projection lag when the load stopped`, `${fmt(run.lagAtEnd)} events`],
    [`${run.label}: projections caught up after the load`, `${fmt(run.catchUp, 1)} s`],
    [`${run.label}: SQL statements per event (request and projections, pg_stat_statements)`, Number.isNaN(run.statements) ? 'not counted (pg_stat_statements is not loaded)' : fmt(run.statements / Math.max(1, run.recorded), 2)],
    [`${run.label}: server connections at the end of the load`, fmt(run.connections)],
    ...(LOOP ? [[`${run.label}: server event loop over the load (--loop)`, summariseLoop(LOOP_FILE, run.wall) ?? 'no second recorded'] as [string, string]] : []),
  ];
}

async function main(): Promise<void> {
  const db = await freshDatabase('bench-ingest', 54397);
  const profileDir = PROFILE ? resolve('.data/bench-ingest-profile') : undefined;
  const nodeArgs = [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(HEAP ? ['--heapsnapshot-signal=SIGUSR2'] : []), ...(LOOP ? ['--import', resolve('dist/bench/loop-monitor.js')] : [])];
  if (LOOP) {
    mkdirSync(resolve('.data'), { recursive: true });
    rmSync(LOOP_FILE, { force: true });
  }
  if (HEAP) {
    rmSync(HEAP_DIR, { recursive: true, force: true });
    mkdirSync(HEAP_DIR, { recursive: true });
  }
  const server = await startServer({ databaseUrl: db.url, profileDir, nodeArgs, cwd: HEAP ? HEAP_DIR : undefined, extraEnv: LOOP ? { LOOP_MONITOR_FILE: LOOP_FILE } : undefined });
  let exit: number | null = null;
  try {
    const world = await buildWorld(server);
    const progressed = (courseId: string) => [{ id: randomUUID(), type: 'VideoProgressed', courseId, resourceId: world.video, positionSeconds: Math.floor(Math.random() * 3600), durationSeconds: 3600 }];
    const pageTime = (courseId: string) => Array.from({ length: BATCH }, () => ({ id: randomUUID(), type: 'PageTimeRecorded', courseId, resourceId: world.page, seconds: 1 + Math.floor(Math.random() * 600) }));
    // Warm-up (JIT, pools, caches): not counted.
    await drive(server, world, 'warm-up', CONNECTIONS, 3, (courseId) => [{ id: randomUUID(), type: 'CourseViewed', courseId }]);
    await waitForProjections(server);
    const [sample] = await db.query<{ data: unknown; metadata: unknown }>(`SELECT ${BENCH_SQL} data, metadata FROM events WHERE event_type = 'CourseViewed' LIMIT 1`);
    const anchors = await measureAnchors(db, sample);
    console.log(`  anchors: raw INSERT ${fmt(anchors.insertPerSecond)}/s (16 clients), COPY ${fmt(anchors.copyRowsPerSecond)} rows/s (load average ${load()})`);
    const meters: Meters = { db, counter: await statementCounter(db) };
    const memory = new Memory(server);
    await memory.mark('at start (after the warm-up)');
    if (SOAK) {
      await soak(server, world, memory);
      exit = await server.stop();
      return;
    }

    const single = ONLY === 'batch' ? null : await drive(server, world, 'single', CONNECTIONS, DURATION, progressed, meters);
    const singleLoad = load();
    const minimal = single ? await minimalIngest(db, world, progressed) : null;
    if (SINGLE_ONLY && single && minimal) {
      await singleOnly(server, db, single, anchors, minimal, singleLoad, profileDir, nodeArgs);
      exit = 0;
      return;
    }
    const batched = await drive(server, world, `batch of ${BATCH}`, BATCH_CONNECTIONS, DURATION, pageTime, meters);
    const batchLoad = load();
    await memory.mark('at the end of the load');
    const meRaw = await statementsPer(server, '/api/v1/me', world.learners[0].token, meters.counter);
    // /me's session stays cached for SESSION_CACHE_MS (2 s) and is rechecked in the background while it does: that
    // upkeep belongs to /me's requests, so /health is counted once it is over.
    await sleep(2500);
    const healthRaw = await statementsPer(server, '/health', undefined, meters.counter);
    await meters.counter.reset();
    await sleep(IDLE * 1000);
    const idleStatements = (await meters.counter.count()) / IDLE;
    // The idle server's own statements (safety polls) that fell in the requests' time are not the requests'.
    const me = net(meRaw, idleStatements);
    const health = net(healthRaw, idleStatements);
    const idleConnections = await serverConnections(db);
    await memory.mark(`after ${IDLE} s idle`);

    const counts = await db.query<{ event_type: string; n: string }>(`SELECT event_type, count(*) AS n FROM events WHERE event_type IN ('VideoProgressed', 'PageTimeRecorded') GROUP BY event_type`);
    const count = (type: string) => Number(counts.find((c) => c.event_type === type)?.n ?? 0);
    // Every acknowledged event is in the log; the log may hold a few more (requests in flight when autocannon stopped).
    const found = async (ids: string[]) => {
      let n = 0;
      for (let i = 0; i < ids.length; i += 10_000) n += Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE event_id = ANY($1::uuid[])', [ids.slice(i, i + 10_000)]))[0].n);
      return n;
    };
    const check = async (run: Run, type: string): Promise<[string, string]> => {
      const present = await found(run.acked);
      const total = count(type);
      const ok = present === run.acked.length && total - present <= run.result.connections * run.itemsPerRequest;
      if (!ok) process.exitCode = 1;
      return [`${run.label}: acknowledged events found in the log`, `${fmt(present)} of ${fmt(run.acked.length)} ${ok ? 'ok' : 'LOST EVENTS'} (${fmt(total - present)} more committed for requests cut off when the run stopped)`];
    };
    const rows: [string, string][] = [
      ['server started as (README, Memory)', `${Object.entries(SERVER_NODE_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} node ${[...SERVER_NODE_ARGS, ...nodeArgs].join(' ')}${profileDir ? ' --cpu-prof' : ''}`],
      ['anchor: raw single-row INSERT, 16 clients (pg)', `${fmt(anchors.insertPerSecond)} rows/s`],
      ['anchor: COPY of the same rows (pg-copy-streams)', `${fmt(anchors.copyRowsPerSecond)} rows/s (${fmt(anchors.copyRows)} rows)`],
      ...(minimal ? [minimalRow(minimal, anchors)] : []),
      ...(single ? report(single) : []),
      ...report(batched),
      ...(single ? [await check(single, 'VideoProgressed')] : []),
      await check(batched, 'PageTimeRecorded'),
      ['GET /api/v1/me: SQL statements per request (sequential, one learner)', Number.isNaN(me) ? 'not counted' : `${fmt(me, 2)} (${fmt(meRaw.per, 2)} counted, less the idle server's ${fmt(idleStatements, 2)}/s over ${fmt(meRaw.seconds, 2)} s)`],
      ['GET /health: SQL statements per request', Number.isNaN(health) ? 'not counted' : `${fmt(health, 2)} (${fmt(healthRaw.per, 2)} counted, less the idle server's ${fmt(idleStatements, 2)}/s over ${fmt(healthRaw.seconds, 2)} s); writes per request: ${fmt(healthRaw.writes, 2)}`],
      [`idle server: SQL statements per second (${IDLE} s)`, Number.isNaN(idleStatements) ? 'not counted' : fmt(idleStatements, 2)],
      ['idle server: connections', fmt(idleConnections)],
      ...memory.rows(),
    ];
    const rate = (run: Run) => run.result['2xx'] / run.result.duration;
    const events = (run: Run) => run.recorded / run.result.duration;
    const runs = single ? [single, batched] : [batched];
    const peakRss = Math.max(...runs.map((r) => r.rssMiB));
    const connections = Math.max(...runs.map((r) => r.connections));
    // What a floor asks of the server's CPU at this run's cost per request (or event): cores the server alone would need.
    const cores = (perSecond: number, run: Run, units: number) => (perSecond * run.cpu.serverMs) / Math.max(1, units) / 1000;
    const singleFloors = (single: Run): [string, string][] => {
      const perEvent = single.statements / Math.max(1, single.recorded);
      return [
        ['single-event ingest ÷ raw INSERT ≥ 0.3', `${(rate(single) / anchors.insertPerSecond).toFixed(3)}: ${floor(rate(single) >= 0.3 * anchors.insertPerSecond)} (load average ${singleLoad}; 0.3 × the anchor is ${fmt(0.3 * anchors.insertPerSecond)} requests/s, ${cores(0.3 * anchors.insertPerSecond, single, single.result['2xx']).toFixed(2)} cores of server CPU at this run's cost per request; the server had ${((single.cpu.server / 100) * cpus().length).toFixed(2)} of ${cpus().length})`],
        ...(minimal ? [besideMinimal(rate(single), minimal)] : []),
        ['single-event p99 ≤ 50 ms', `${single.result.latency.p99} ms: ${floor(single.result.latency.p99 <= 50)}`],
        ['SQL statements per ingested single event ≤ 12 (projections included)', `${fmt(perEvent, 2)}: ${floor(perEvent <= 12)}`],
      ];
    };
    const floors: [string, string][] = [
      ...(single ? singleFloors(single) : []),
      ['batched ingest ÷ COPY ≥ 0.25', `${(events(batched) / anchors.copyRowsPerSecond).toFixed(3)}: ${floor(events(batched) >= 0.25 * anchors.copyRowsPerSecond)} (load average ${batchLoad}; 0.25 × COPY is ${fmt(0.25 * anchors.copyRowsPerSecond)} events/s, ${cores(0.25 * anchors.copyRowsPerSecond, batched, batched.recorded).toFixed(2)} cores of server CPU at this run's cost per event; the server had ${((batched.cpu.server / 100) * cpus().length).toFixed(2)})`],
      ['idle server ≤ 5 statements/s', `${fmt(idleStatements, 2)}: ${floor(idleStatements <= 5)}`],
      ['GET /api/v1/me ≤ 4 statements', `${fmt(me, 2)}: ${floor(me <= 4)}`],
      ['GET /health ≤ 3 statements, no writes', `${fmt(health, 2)}, ${fmt(healthRaw.writes, 2)} writes: ${floor(health <= 3 && healthRaw.writes === 0)}`],
      ['connections per process ≤ 10', `${connections}: ${floor(connections <= 10)}`],
      ['server RSS under the ingest bench ≤ 300 MB', `${peakRss} MiB: ${floor(peakRss * 1.048576 <= 300)}`],
    ];
    exit = await server.stop();
    console.log(table(`Learnstream ingest benchmark: POST /api/v1/activity, ${DURATION} s per run, ${LEARNERS} learners, server pid ${server.pid} (exit ${exit})`, rows));
    console.log(table(`Floors of issue 15 (ratios to the anchors of this run; load average now ${load()})`, floors));
    if (profileDir) {
      console.log(`\nWhere the server's time went (node --cpu-prof, the whole run and set-up):\n${summariseProfile(profileDir)}`);
      for (const run of runs) console.log(`\nWhere the server's time went while the ${run.label} load ran:\n${summariseProfile(profileDir, 25, run.window)}`);
    }
    memory.printHeapGrowth();
  } catch (error) {
    console.error(error);
    console.error(server.output().slice(-4000));
    process.exitCode = 1;
  } finally {
    if (exit === null) await server.kill();
    await db.drop();
  }
}

/** The reference run of the least an HTTP ingest can do here (minimal-ingest-server.ts). */
interface Minimal {
  perSecond: number;
  p99: number;
  cpuMsPerRequest: number;
  load: string;
  seconds: number;
}

/**
 * The same single-event load (the same connections, learners' tokens and bodies) against minimal-ingest-server.ts:
 * node's http server, a token in a Set, JSON.parse, one INSERT a request through a pool of 10. Run right after
 * Learnstream's single-event run, with Learnstream's server idle beside it: what any Node HTTP ingest with one
 * INSERT a request reaches on these cores, so that the single-event floor can be read against it too.
 */
async function minimalIngest(db: BenchDatabase, world: World, items: (courseId: string) => Record<string, unknown>[]): Promise<Minimal> {
  const tableName = 'anchor_minimal_events';
  await db.query(`CREATE TABLE ${tableName} (global_position bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  const port = await freePort();
  const child = spawn(process.execPath, [resolve('dist/bench/minimal-ingest-server.js')], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, PORT: String(port), TOKENS: world.learners.map((l) => l.token).join(','), TABLE: tableName, DATABASE_POOL_MAX: '10' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let tries = 0; ; tries++) {
      const up = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
      if (up) break;
      if (tries > 100) throw new Error('the minimal ingest server did not start');
      await sleep(100);
    }
    const seconds = Math.min(DURATION, 10);
    let k = 0;
    const body = () => ({ method: 'POST' as const, path: '/api/v1/activity', setupRequest: (req: autocannon.Request) => ({ ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${world.learners[k++ % world.learners.length].token}` }, body: JSON.stringify(items(world.courseId)[0]) }) });
    // Warm-up (JIT, the pool's connections), then the measured run.
    await autocannon({ url: base, connections: CONNECTIONS, duration: 2, timeout: 30, requests: [body()] });
    const cpu = cpuMeter(child.pid!);
    const result = await autocannon({ url: base, connections: CONNECTIONS, duration: seconds, timeout: 30, requests: [body()] });
    const used = cpu();
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`the minimal ingest server answered ${result.non2xx} non-2xx and ${result.errors} errors`);
    return { perSecond: result['2xx'] / result.duration, p99: result.latency.p99, cpuMsPerRequest: used.serverMs / Math.max(1, result['2xx']), load: load(), seconds };
  } finally {
    child.kill('SIGKILL');
    await db.query(`DROP TABLE ${tableName}`);
  }
}

function minimalRow(minimal: Minimal, anchors: { insertPerSecond: number }): [string, string] {
  return [
    `reference: minimal Node HTTP ingest (node:http, token in a Set, JSON.parse, one INSERT a request, pool of 10; ${CONNECTIONS} connections, ${minimal.seconds} s)`,
    `${fmt(minimal.perSecond)} requests/s = ${(minimal.perSecond / anchors.insertPerSecond).toFixed(3)} × raw INSERT, p99 ${minimal.p99} ms, its CPU ${fmt(minimal.cpuMsPerRequest, 3)} ms a request (load average ${minimal.load})`,
  ];
}

function besideMinimal(rate: number, minimal: Minimal): [string, string] {
  return ['single-event ingest ÷ the minimal Node HTTP ingest (reference, no floor)', `${(rate / minimal.perSecond).toFixed(3)}`];
}

/**
 * --single-only: phase 1's figures and floors, its events counted back; no
 * batches and no idle wait, so that a --profile is that of single events.
 */
async function singleOnly(server: ServerProcess, db: BenchDatabase, single: Run, anchors: { insertPerSecond: number }, minimal: Minimal, singleLoad: string, profileDir: string | undefined, nodeArgs: string[]): Promise<void> {
  const present = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE event_id = ANY($1::uuid[])', [single.acked]))[0].n);
  const lost = present !== single.acked.length;
  if (lost) process.exitCode = 1;
  const rate = single.result['2xx'] / single.result.duration;
  const exit = await server.stop();
  console.log(table(`Learnstream ingest benchmark, single events only: POST /api/v1/activity, ${DURATION} s, ${LEARNERS} learners, server pid ${server.pid} (exit ${exit})`, [
    ['server started as (README, Memory)', `${Object.entries(SERVER_NODE_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} node ${[...SERVER_NODE_ARGS, ...nodeArgs].join(' ')}${profileDir ? ' --cpu-prof' : ''}`],
    ['anchor: raw single-row INSERT, 16 clients (pg)', `${fmt(anchors.insertPerSecond)} rows/s`],
    minimalRow(minimal, anchors),
    ...report(single),
    [`${single.label}: acknowledged events found in the log`, `${fmt(present)} of ${fmt(single.acked.length)} ${lost ? 'LOST EVENTS' : 'ok'}`],
  ]));
  console.log(table(`Floors of issue 15, single events (load average now ${load()})`, [
    ['single-event ingest ÷ raw INSERT ≥ 0.3', `${(rate / anchors.insertPerSecond).toFixed(3)}: ${floor(rate >= 0.3 * anchors.insertPerSecond)} (load average ${singleLoad})`],
    besideMinimal(rate, minimal),
    ['single-event p99 ≤ 50 ms', `${single.result.latency.p99} ms: ${floor(single.result.latency.p99 <= 50)}`],
  ]));
  if (profileDir) {
    console.log(`\nWhere the server's time went (node --cpu-prof, the single-event run and set-up):\n${summariseProfile(profileDir, 15)}`);
    console.log(`\nWhere the server's time went while the single-event load ran:\n${summariseProfile(profileDir, 40, single.window)}`);
  }
}

/** SQL statements per GET of `path`, one request at a time (after a first request that warms the caches). */
/**
 * SQL statements per request to `path` (n requests one after another), with the time they took: the idle server's
 * background statements over that time are subtracted by the caller (`net`). `writes` counts, per request, the
 * statements that write (INSERT/UPDATE/DELETE) and ran at least once per request.
 */
async function statementsPer(server: ServerProcess, path: string, token: string | undefined, counter: StatementCounter, n = 50): Promise<{ per: number; seconds: number; writes: number }> {
  await must(200, server.base, 'GET', path, undefined, token);
  await counter.reset();
  const started = performance.now();
  for (let i = 0; i < n; i++) await must(200, server.base, 'GET', path, undefined, token);
  const seconds = (performance.now() - started) / 1000;
  const per = (await counter.count()) / n;
  const top = await counter.top(12);
  if (top.length) console.log(`  GET ${path}, statements per request by kind (pg_stat_statements):\n${top.map((t) => `    ${fmt(t.calls / n, 2).padStart(6)}  ${t.query}`).join('\n')}`);
  const writes = top.filter((t) => t.calls >= n && /^\s*(INSERT|UPDATE|DELETE)\b/i.test(t.query)).reduce((sum, t) => sum + t.calls / n, 0);
  return { per, seconds, writes };
}

/** Statements per request less the idle server's background (statements/s) over the requests' time, to 2 decimals (the floors are judged on what is printed; one statement in 50 requests is 0.02). */
const net = (m: { per: number; seconds: number }, idlePerSecond: number, n = 50) => Math.round((m.per - (idlePerSecond * m.seconds) / n) * 100) / 100;

/** The server's RSS at marked points (and heap snapshots there with --heap-snapshots), with the load average beside each. */
class Memory {
  readonly marks: { label: string; rssMiB: number; load: string; snapshot?: string }[] = [];
  constructor(private readonly server: ServerProcess) {}

  async mark(label: string): Promise<number> {
    let snapshot: string | undefined;
    if (HEAP) {
      const before = new Set(readdirSync(HEAP_DIR));
      this.server.child.kill('SIGUSR2');
      // Written synchronously by the server: wait until the file is complete (its size stops changing and it ends the JSON).
      for (let i = 0; i < 600 && !snapshot; i++) {
        await sleep(500);
        const file = readdirSync(HEAP_DIR).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
        if (file && (await api(this.server))) snapshot = resolve(HEAP_DIR, file);
      }
    }
    const rssMiB = this.server.rssMiB();
    this.marks.push({ label, rssMiB, load: load(), snapshot });
    console.log(`  server RSS ${label}: ${rssMiB} MiB (load average ${load()})`);
    return rssMiB;
  }

  rows(): [string, string][] {
    const anchor = this.marks[0].rssMiB;
    return this.marks.map((m) => [`server RSS ${m.label}`, `${fmt(m.rssMiB)} MiB (× ${(m.rssMiB / anchor).toFixed(2)} of the start; load average ${m.load})`]);
  }

  printHeapGrowth(): void {
    const snaps = this.marks.filter((m) => m.snapshot);
    for (let i = 1; i < snaps.length; i++) console.log(`\nHeap growth from "${snaps[i - 1].label}" to "${snaps[i].label}":\n${heapGrowth(snaps[i - 1].snapshot!, snaps[i].snapshot!)}`);
  }
}

/** The server answers again (it is blocked while it writes a heap snapshot). */
async function api(server: ServerProcess): Promise<boolean> {
  try {
    return (await fetch(`${server.base}/health`)).ok;
  } catch {
    return false;
  }
}

/**
 * Mixed load for DURATION seconds: learners' activity (single events and
 * batches), their reads (their account, the course), and the teacher's class
 * report in JSON and CSV. RSS after the first minute and at the end.
 */
async function soak(server: ServerProcess, world: World, memory: Memory): Promise<void> {
  let k = 0;
  const learner = () => world.learners[k++ % world.learners.length].token;
  const item = () => ({ id: randomUUID(), type: 'VideoProgressed', courseId: world.courseId, resourceId: world.video, positionSeconds: Math.floor(Math.random() * 3600), durationSeconds: 3600 });
  const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'bench-soak/1.0' });
  const run = (connections: number, requests: autocannon.Request[]) => autocannon({ url: server.base, connections, duration: DURATION, timeout: 30, requests });
  const runs = Promise.all([
    run(8, [{ method: 'POST', path: '/api/v1/activity', setupRequest: (req) => ({ ...req, headers: json(learner()), body: JSON.stringify(item()) }) }]),
    run(2, [{ method: 'POST', path: '/api/v1/activity', setupRequest: (req) => ({ ...req, headers: json(learner()), body: JSON.stringify({ events: Array.from({ length: 20 }, item) }) }) }]),
    run(4, [
      { method: 'GET', path: '/api/v1/me', setupRequest: (req) => ({ ...req, headers: json(learner()) }) },
      { method: 'GET', path: `/api/v1/courses/${world.courseId}`, setupRequest: (req) => ({ ...req, headers: json(learner()) }) },
    ]),
    run(2, [
      { method: 'GET', path: `/api/v1/reports/courses/${world.courseId}`, setupRequest: (req) => ({ ...req, headers: json(world.teacher) }) },
      { method: 'GET', path: `/api/v1/reports/courses/${world.courseId}`, setupRequest: (req) => ({ ...req, headers: { ...json(world.teacher), accept: 'text/csv' } }) },
    ]),
  ]);
  const firstMinute = sleep(Math.min(60, DURATION / 2) * 1000).then(() => memory.mark(`after the first ${Math.min(60, DURATION / 2)} s of load`));
  const results = await runs;
  const [atMinute] = await Promise.all([firstMinute]);
  const atEnd = await memory.mark(`at the end of ${DURATION} s of mixed load`);
  await waitForProjections(server);
  await sleep(IDLE * 1000);
  await memory.mark(`after ${IDLE} s idle`);
  const labels = ['ingest: single events', 'ingest: batches of 20', 'reads: account, course', 'reports: class report JSON/CSV'];
  const ratio = atEnd / atMinute;
  const rows: [string, string][] = [
    ...results.map((r, i): [string, string] => [labels[i], `${fmt(r['2xx'] / r.duration)} requests/s (2xx), p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`]),
    ...memory.rows(),
    ['RSS at the end ÷ after the first minute', `${ratio.toFixed(2)} (target ≤ 1.20: ${ratio <= 1.2 ? 'met' : 'NOT met'})`],
  ];
  console.log(table(`Learnstream soak: mixed load for ${DURATION} s, ${LEARNERS} learners, server pid ${server.pid}`, rows));
  memory.printHeapGrowth();
}

void main();
