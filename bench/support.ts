/**
 * What the HTTP benchmarks share: a fresh database (on DATABASE_URL's server,
 * else an embedded PostgreSQL), the real server started as a child process
 * (the built dist/, optionally under --cpu-prof), its RSS sampled from /proc,
 * small HTTP helpers, a profile summary and a table printer.
 *
 * The one place outside libs/config that reads the environment: a benchmark, not the app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { keyStoreUrlFor, migrateKeyStore, startEmbeddedPostgres } from '@learnstream/database';

/** application_name of the bench's own connections (left out of the server's connection count). */
export const BENCH_APP = 'learnstream-bench';

export const ADMIN = { username: 'admin', password: 'bench-admin-password-1' };
export const PASSWORD = 'bench-password-1234';

export interface BenchDatabase {
  url: string;
  name: string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A new, empty database on DATABASE_URL's server, else on an embedded PostgreSQL started here. */
export async function freshDatabase(prefix: string, embeddedPort: number): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded: () => Promise<void> = async () => undefined;
  if (!serverUrl) {
    const db = await startEmbeddedPostgres({ dataDir: resolve(`.data/${prefix}-postgres`), port: embeddedPort, database: 'postgres' });
    serverUrl = db.url;
    stopEmbedded = db.stop;
  }
  const name = `${prefix.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4, application_name: BENCH_APP });
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    name,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    drop: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name}_keys WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await stopEmbedded();
    },
  };
}

/** The key store database of a benchmark database (`<name>_keys`, dropped with it), migrated, and a pool on it. */
export async function keyStorePool(databaseUrl: string, max = 5): Promise<pg.Pool> {
  const url = keyStoreUrlFor(databaseUrl);
  await migrateKeyStore(url);
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
    s.on('error', reject);
  });
}

export interface ServerProcess {
  base: string;
  pid: number;
  opsToken: string;
  env: Record<string, string>;
  child: ChildProcess;
  /** Highest RSS seen by the sampler (MiB). */
  peakRssMiB(): number;
  rssMiB(): number;
  /** SIGTERM and wait for the exit (the server drains accepted writes first). */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  output(): string;
}

export interface ServerOptions {
  databaseUrl: string;
  /** How long to wait for /health (default 120 s; a start on a big log catches the inline read models up first). */
  startTimeoutMs?: number;
  /** Same secrets as a previous start (a restart on the same database). */
  env?: Record<string, string>;
  profileDir?: string;
  extraEnv?: Record<string, string>;
  nodeArgs?: string[];
  /** The built entry point (default dist/apps/api/src/main.js). */
  main?: string;
  /** Working directory of the server (where --heapsnapshot-signal writes). */
  cwd?: string;
}

export function serverEnv(databaseUrl: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    OPS_TOKEN: randomBytes(24).toString('base64url'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // A benchmark plays many clients from one address: the per-address limits are for real ones.
    RATE_LIMIT_PER_MINUTE: '0',
    SIGNIN_RATE_LIMIT_PER_MINUTE: '100000',
  };
}

/**
 * How the server's node is started, as `npm start`, `start:projector` and the
 * Docker image start it (README, "Memory"): V8's old generation collected once
 * it is 1.5× what was live (not 4×), argon2's blocks given back when freed.
 */
export const SERVER_NODE_ARGS = ['--heap-growing-percent=50'];
export const SERVER_NODE_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** Starts dist/apps/api/src/main.js and waits until /health answers. */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const env = options.env ?? serverEnv(options.databaseUrl, await freePort());
  const args = ['--enable-source-maps', ...SERVER_NODE_ARGS, ...(options.nodeArgs ?? [])];
  if (options.profileDir) {
    rmSync(options.profileDir, { recursive: true, force: true });
    mkdirSync(options.profileDir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  }
  const child = spawn(process.execPath, [...args, options.main ?? resolve('dist/apps/api/src/main.js')], {
    env: { PATH: process.env.PATH ?? '', ...SERVER_NODE_ENV, ...env, ...options.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) during start-up:\n${out.slice(-4000)}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not start in ${(options.startTimeoutMs ?? 120_000) / 1000} s:\n${out.slice(-4000)}`);
    await sleep(200);
  }
  let peak = 0;
  const rssMiB = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : 0;
    } catch {
      return 0;
    }
  };
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 250);
  sampler.unref();
  return {
    base,
    pid: child.pid!,
    opsToken: env.OPS_TOKEN,
    env,
    child,
    peakRssMiB: () => Math.max(peak, rssMiB()),
    rssMiB,
    stop: async () => {
      clearInterval(sampler);
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      clearInterval(sampler);
      child.kill('SIGKILL');
      await exited;
    },
    output: () => out,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'Content-Type': 'application/json' }), ...(token && { Authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : (undefined as T) };
}

/** The same, failing loudly unless the status is the expected one. */
export async function must<T = unknown>(expected: number | number[], base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await api<T>(base, method, path, body, token);
  if (!(Array.isArray(expected) ? expected : [expected]).includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function signIn(base: string, username: string, password: string): Promise<{ userId: string; token: string }> {
  const b = await must<{ userId: string; accessToken: string }>(200, base, 'POST', '/api/v1/auth/login', { username, password });
  return { userId: b.userId, token: b.accessToken };
}

/** Runs `work` over `items`, `size` at a time. */
export async function inBatches<T, R>(items: T[], size: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let k = 0; k < items.length; k += size) out.push(...(await Promise.all(items.slice(k, k + size).map((item, j) => work(item, k + j)))));
  return out;
}

/** Projection lag as /health reports it. */
export async function projectionLag(server: ServerProcess): Promise<{ maxLag: number; items: { name: string; lag: number }[] }> {
  return (await must<{ projections: { maxLag: number; items: { name: string; lag: number }[] } }>(200, server.base, 'GET', '/health')).projections;
}

/** Waits until every projection has caught up; returns the seconds it took. */
export async function waitForProjections(server: ServerProcess, timeoutMs = 600_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { maxLag } = await projectionLag(server);
    if (maxLag === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`projections still ${maxLag} events behind after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/**
 * The top frames of a V8 CPU profile by self time, and the time per area
 * (this code base's libs and apps, each dependency, node internals, GC, idle).
 */
export function summariseProfile(dir: string, top = 15): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return `(no .cpuprofile in ${dir})`;
  const profile = JSON.parse(readFileSync(resolve(dir, files[0]), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
    const frame = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    const area = areaOf(functionName, short);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const lines = [`  profile ${files[0]} (${(total / 1e6).toFixed(1)} s sampled)`, '  by area (self time):'];
  for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 14)) lines.push(`    ${pct(us)}  ${area}`);
  lines.push(`  top ${top} frames (self time):`);
  for (const [frame, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(us)}  ${frame.slice(0, 130)}`);
  return lines.join('\n');
}

function areaOf(functionName: string, url: string): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: native, not attributed)';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return `dependency ${dep[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const own = /dist\/(libs|apps)\/([^/]+)/.exec(url);
  if (own) return `learnstream ${own[1]}/${own[2]}`;
  return url ? url : 'native / builtins';
}

export function table(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`\n${title}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface CpuShare {
  server: number;
  bench: number;
  other: number;
}

/** CPU time (user + system) a process has used, in clock ticks (/proc/<pid>/stat; 0 when it is gone). */
function procTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU seconds a process has used (Linux clock ticks of 10 ms): the work of a step, whatever the machine's load. */
export const processCpuSeconds = (pid: number | 'self'): number => procTicks(pid) / 100;

/** Starts measuring CPU; the returned function gives the shares (percent of all cores) since then. */
export function cpuMeter(serverPid: number): () => CpuShare {
  const ticks = () => {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = fields.map(Number);
    return { busy: n[0] + n[1] + n[2] + n[5] + n[6] + n[7], total: n.slice(0, 8).reduce((a, b) => a + b, 0) };
  };
  const start = { all: ticks(), server: procTicks(serverPid), bench: procTicks('self') };
  return () => {
    const all = ticks();
    const total = all.total - start.all.total || 1;
    const server = procTicks(serverPid) - start.server;
    const bench = procTicks('self') - start.bench;
    const busy = all.busy - start.all.busy;
    const pct = (t: number) => Math.round((100 * t) / total);
    return { server: pct(server), bench: pct(bench), other: pct(Math.max(0, busy - server - bench)) };
  };
}

/** RSS (MiB) by constructor/closure/string type in a V8 heap snapshot. */
function heapByKind(file: string): Map<string, { count: number; bytes: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = snapshot.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${snapshot.strings[snapshot.nodes[i + nameAt]]}` : `(${type})`;
    const e = out.get(name) ?? { count: 0, bytes: 0 };
    e.count += 1;
    e.bytes += snapshot.nodes[i + sizeAt];
    out.set(name, e);
  }
  return out;
}

/** What grew between two heap snapshots (node --heapsnapshot-signal), by object kind: the top `top` by bytes. */
export function heapGrowth(before: string, after: string, top = 12): string {
  const a = heapByKind(before);
  const b = heapByKind(after);
  const total = (m: Map<string, { bytes: number }>) => [...m.values()].reduce((n, e) => n + e.bytes, 0);
  const rows = [...b].map(([name, e]) => ({ name, count: e.count - (a.get(name)?.count ?? 0), bytes: e.bytes - (a.get(name)?.bytes ?? 0) })).sort((x, y) => y.bytes - x.bytes);
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  return [
    `  heap ${mib(total(a))} → ${mib(total(b))}; grew most:`,
    ...rows.slice(0, top).map((r) => `    ${mib(r.bytes).padStart(10)}  ${String(r.count).padStart(9)} objects  ${r.name.slice(0, 90)}`),
  ].join('\n');
}

/**
 * Counts the SQL statements the server sends to its two databases (events and
 * key store) between `reset()` and `count()`: from pg_stat_statements when the
 * server has it loaded (`shared_preload_libraries`), else null (not counted).
 * The bench's own queries go to the same databases: callers count windows in
 * which the bench itself sends nothing.
 */
export interface StatementCounter {
  readonly available: boolean;
  reset(): Promise<void>;
  /** Statements since the last reset (calls, every statement kind: BEGIN and COMMIT too), by the server's databases. */
  count(): Promise<number>;
  /** The most frequent statements since the last reset. */
  top(n: number): Promise<{ calls: number; query: string }[]>;
}

export async function statementCounter(db: BenchDatabase): Promise<StatementCounter> {
  const loaded = await db.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'`);
  const available = /pg_stat_statements/.test(loaded[0]?.setting ?? '');
  if (available) await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const dbs = `(SELECT oid FROM pg_database WHERE datname IN ('${db.name}', '${db.name}_keys'))`;
  // The counter's own statements (reset, count) are left out by their text.
  const mine = `query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%${BENCH_SQL}%'`;
  return {
    available,
    reset: async () => {
      if (available) await db.query('SELECT pg_stat_statements_reset()');
    },
    count: async () => {
      if (!available) return NaN;
      const [row] = await db.query<{ n: string | null }>(`SELECT sum(calls) AS n FROM pg_stat_statements WHERE dbid IN ${dbs} AND ${mine}`);
      return Number(row.n ?? 0);
    },
    top: async (n) => {
      if (!available) return [];
      const rows = await db.query<{ calls: string; query: string }>(`SELECT calls, query FROM pg_stat_statements WHERE dbid IN ${dbs} AND ${mine} ORDER BY calls DESC LIMIT ${n}`);
      return rows.map((r) => ({ calls: Number(r.calls), query: r.query.replace(/\s+/g, ' ').slice(0, 140) }));
    },
  };
}

/** The bench's own queries carry this comment: the statement counter leaves them out. */
export const BENCH_SQL = '/* bench */';

/** The server's connections to its databases now (the bench's own left out). */
export async function serverConnections(db: BenchDatabase): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `SELECT ${BENCH_SQL} count(*) AS n FROM pg_stat_activity WHERE datname IN ($1, $2) AND application_name <> $3 AND pid <> pg_backend_pid()`,
    [db.name, `${db.name}_keys`, BENCH_APP],
  );
  return Number(row.n);
}

/** Waits, reading the database (not the server), until every projection that is not inline is at the log's head; returns the seconds it took. */
export async function caughtUp(db: BenchDatabase, timeoutMs = 1_800_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [row] = await db.query<{ behind: string }>(
      `SELECT ${BENCH_SQL} count(*) AS behind FROM projection_checkpoints c,
         (SELECT transaction_id::text::bigint AS t, global_position AS g FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) h
       WHERE NOT c.inline AND (c.position_commit, c.position_prepare) < (h.t, h.g)`,
    );
    if (Number(row.behind) === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`${row.behind} projections still behind after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface Anchors {
  /** Raw single-row INSERTs (autocommit) per second, 16 clients through pg. */
  insertPerSecond: number;
  /** Rows per second of one COPY of as many rows, through pg (pg-copy-streams). */
  copyRowsPerSecond: number;
  copyRows: number;
}

/**
 * The anchors every figure is divided by, measured in the same run on the same
 * server: a loop of single-row INSERTs by 16 clients for `seconds`, and a COPY
 * of the same kind of rows (an event's columns, with `sample`'s data and
 * metadata), into a table like `events` without its triggers.
 */
export async function measureAnchors(db: BenchDatabase, sample: { data: unknown; metadata: unknown }, seconds = 5, copyRows = 200_000): Promise<Anchors> {
  await db.query(`CREATE TABLE anchor_events (global_position bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  const data = JSON.stringify(sample.data);
  const metadata = JSON.stringify(sample.metadata);
  const url = db.url;
  try {
    const deadline = Date.now() + seconds * 1000;
    const counts = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
        await client.connect();
        let n = 0;
        try {
          while (Date.now() < deadline) {
            await client.query('INSERT INTO anchor_events (stream_id, event_id, event_type, data, metadata) VALUES ($1, $2, $3, $4, $5)', [`anchor-${randomUUID()}`, randomUUID(), 'AnchorEvent', data, metadata]);
            n++;
          }
        } finally {
          await client.end();
        }
        return n;
      }),
    );
    const inserted = counts.reduce((a, b) => a + b, 0);
    const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
    await client.connect();
    try {
      const esc = (json: string) => json.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
      const started = process.hrtime.bigint();
      const stream = client.query(copyFrom('COPY anchor_events (stream_id, event_id, event_type, data, metadata) FROM STDIN'));
      const rows = Readable.from(
        (function* () {
          const chunk: string[] = [];
          for (let i = 0; i < copyRows; i++) {
            chunk.push(`anchor-${randomUUID()}\t${randomUUID()}\tAnchorEvent\t${esc(data)}\t${esc(metadata)}\n`);
            if (chunk.length === 1000) yield chunk.splice(0).join('');
          }
          if (chunk.length) yield chunk.join('');
        })(),
      );
      await pipeline(rows, stream);
      const copySeconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { insertPerSecond: inserted / seconds, copyRowsPerSecond: copyRows / copySeconds, copyRows };
    } finally {
      await client.end();
    }
  } finally {
    await db.query('DROP TABLE anchor_events');
  }
}

/** A floor beside its figure: "met" or "NOT met". */
export function floor(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}
