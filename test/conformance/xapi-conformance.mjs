#!/usr/bin/env node
/**
 * `npm run conformance:xapi`: ADL's LRS conformance suite against this LRS.
 *
 *   1. the suite: XAPI_SUITE_DIR, else ../shared/conformance/lrs-conformance-test-suite
 *      beside the repository; without it, a message and exit 0 (nothing was run);
 *      it is copied to .data/xapi-conformance/suite and `npm install`ed there once
 *      (a suite directory with its node_modules already is used in place);
 *   2. a fresh throwaway database on DATABASE_URL's server (the suite writes and
 *      never deletes), dropped at the end with its key store;
 *   3. the API built with swc (npm run build without the dashboard) and started
 *      on a free port, a school and an LRS client created through the API;
 *   4. the suite for xAPI 1.0.3 and 2.0.0 (XAPI_CONFORMANCE_VERSIONS to choose);
 *      its counts per version, then one line `xapi conformance: N passed, N failed`.
 * Exits 1 when a test failed or the run could not happen.
 * XAPI_CONFORMANCE_GREP runs only the tests matching a pattern (the suite's -g).
 * XAPI_CONFORMANCE_KEEP=1 keeps the databases (to look at what the suite wrote);
 * XAPI_CONFORMANCE_STALL_SECONDS (90) ends a run in which no test has finished for that long (many of
 * the suite's tests wait without a timeout of their own): the run fails at once with the test it
 * stopped at and whether the server still answers (a server that does not answer /xapi/about within
 * 5 s has stalled; one that does leaves the suite waiting on something else). A run that keeps moving
 * is slow, not hung: XAPI_CONFORMANCE_TIMEOUT_MINUTES (30) is only the outer bound (12 before, which
 * a run still moving on a loaded machine can pass). Either counts as a failure.
 * The tests in the order they started, with the seconds since the start, are written to
 * .data/xapi-conformance/tests-<version>.txt (where the time goes, where a run stopped).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Beside the repository (../shared), or beside the directory of worktrees (../../shared).
const suiteSource =
  process.env.XAPI_SUITE_DIR ??
  ['../shared', '../../shared'].map((d) => resolve(root, d, 'conformance/lrs-conformance-test-suite')).find((d) => existsSync(join(d, 'bin/console_runner.js'))) ??
  resolve(root, '../shared/conformance/lrs-conformance-test-suite');
const versions = (process.env.XAPI_CONFORMANCE_VERSIONS ?? '1.0.3,2.0.0').split(',').map((v) => v.trim()).filter(Boolean);
const log = (...args) => console.log('[xapi conformance]', ...args);

if (!existsSync(join(suiteSource, 'bin/console_runner.js'))) {
  log(`skipped: the ADL suite is not at ${suiteSource} (set XAPI_SUITE_DIR)`);
  console.log('xapi conformance: skipped');
  process.exit(0);
}

const work = join(root, '.data/xapi-conformance');
// A copy with its packages installed already is used where it is.
const suite = existsSync(join(suiteSource, 'node_modules')) ? suiteSource : join(work, 'suite');
const stamp = join(work, 'suite.installed-from');
const installed = existsSync(join(suite, 'node_modules')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === suiteSource;
if (suite !== suiteSource && !installed) {
  rmSync(suite, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(suiteSource, suite, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('/logs') });
  log('npm install in', suite);
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: suite, stdio: 'inherit' });
  if (install.status !== 0) {
    log('npm install of the suite failed');
    console.log('xapi conformance: 0 passed, 1 failed');
    process.exit(1);
  }
  writeFileSync(stamp, suiteSource);
}

class Failure extends Error {}
function fail(message) {
  throw new Failure(message);
}

const freePort = () =>
  new Promise((res, rej) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  log('skipped: DATABASE_URL must name a PostgreSQL server (the throwaway databases are made on it)');
  console.log('xapi conformance: skipped');
  process.exit(0);
}
// One throwaway database per version run (set by startServer).
let dbName = '';
const dbUrl = new URL(serverUrl);
const admin = new URL(serverUrl);
admin.pathname = '/postgres';

async function sql(text) {
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

let server;
async function cleanUp() {
  if (server && server.exitCode === null) {
    // A server that does not stop within 10 s (a stalled one) is killed.
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]) === false) {
      server.kill('SIGKILL');
      await exited;
    }
  }
  server = undefined;
  if (!dbName) return;
  if (process.env.XAPI_CONFORMANCE_KEEP !== '1') {
    await sql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await sql(`DROP DATABASE IF EXISTS ${dbName}_keys WITH (FORCE)`).catch(() => {});
  } else log('kept the database', dbUrl.toString());
}

async function startServer(version) {
  dbName = `learnstream_xapi_conformance_${process.pid}_${version.replace(/\D/g, '')}_test`;
  dbUrl.pathname = `/${dbName}`;
  await sql(`CREATE DATABASE ${dbName}`);
  const port = await freePort();
  const password = randomBytes(12).toString('base64url');
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.XAPI_CONFORMANCE_LOG_LEVEL ?? 'warn',
    DATABASE_URL: dbUrl.toString(),
    MASTER_KEY: randomBytes(32).toString('base64'),
    OPS_TOKEN: randomBytes(24).toString('base64url'),
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: password,
    RATE_LIMIT_PER_MINUTE: '0',
    // An LRS of the version under test: what it answers a request that names no version.
    XAPI_DEFAULT_VERSION: version,
    ERASURE_LEDGER_PATH: join(tmpdir(), `${dbName}-ledger.jsonl`),
  };
  server = spawn('node', ['--enable-source-maps', 'dist/apps/api/src/main.js'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) fail(`the server exited (${server.exitCode})`);
    const ok = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 600) fail('the server did not become healthy in 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  const call = async (method, path, body, token) => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) fail(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { accessToken } = await call('POST', '/api/v1/auth/login', { username: 'admin', password });
  const { schoolId } = await call('POST', '/api/v1/schools', { name: 'Conformance school', code: `XAPI${process.pid}`.slice(0, 20), country: 'TH' }, accessToken);
  // The ADL runner's option parser (commander 2) takes a value that starts with '-' for options of its own: a secret
  // like '-V…' made it print its version and exit 0 before its first test (1 client in 64). Such a client is revoked
  // and another one made.
  for (;;) {
    const client = await call('POST', `/api/v1/schools/${schoolId}/xapi-clients`, { name: 'ADL conformance suite' }, accessToken);
    if (!client.secret.startsWith('-')) return { base, client };
    await call('DELETE', `/api/v1/schools/${schoolId}/xapi-clients/${client.clientId}`, undefined, accessToken);
  }
}

async function main() {
  log('building the API (swc)');
  const build = spawnSync('npx', ['swc', 'apps', 'libs', '-d', 'dist', '--ignore', '**/*.spec.ts', '--ignore', '**/testing/**', '--ignore', 'apps/web/**', '--quiet'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('the build failed');

  let passed = 0;
  let failed = 0;
  // Each version against its own fresh server and database.
  for (const version of versions) {
    const { base, client } = await startServer(version);
    const args = ['-r', join(root, 'test/conformance/suite-progress.cjs'), 'bin/console_runner.js', '-e', `${base}/xapi`, '-a', '-u', client.clientId, '-p', client.secret, '-x', version, '-z'];
    if (process.env.XAPI_CONFORMANCE_GREP) args.push('-g', process.env.XAPI_CONFORMANCE_GREP);
    log(`running the suite for ${version}`);
    let run = await runSuite(args, base, version);
    if (!run.started && !run.error) {
      // The runner ended before its first test (once in CI, exit 0 and nothing printed, right after the suite's npm install):
      // the LRS was not exercised at all, so the run is tried once more, and what the first one printed is shown.
      log(`xAPI ${version}: the runner ended (exit ${run.status}) before its first test; it printed:\n${run.lines.slice(-40).join('\n')}\n${run.stderr}`);
      log(`running the suite for ${version} again`);
      run = await runSuite(args, base, version);
    }
    await cleanUp();
    const lines = run.lines;
    const summaries = lines.filter((l) => l.startsWith('{') && l.includes('"passed"'));
    const summary = summaries.length ? JSON.parse(summaries[summaries.length - 1]) : null;
    const logLine = lines.find((l) => l.startsWith('Full run log written to'));
    // Only a run that finished counts (the suite prints its running totals every 2 s: a killed run leaves a partial one).
    const finished = lines.some((l) => l.startsWith('Tests completed in')) && summary !== null;
    if (!finished || run.error) {
      log(`xAPI ${version}: the suite did not finish (${run.error ?? `exit ${run.status}`}${summary ? `; ${summary.passed} of ${summary.total} had passed, ${summary.failed} failed` : ''})`);
      // What the runner printed (the last 40 lines of its output, then its errors): a run that ended early says why there.
      process.stdout.write(`${lines.slice(-40).join('\n')}\n${run.stderr}`);
      failed += 1;
      continue;
    }
    log(`xAPI ${version}: ${summary.passed} passed, ${summary.failed} failed${logLine ? ` (${logLine.replace('Full run log written to ', 'failures: ')})` : ''}`);
    if (summary.failed) printFailures(logLine?.replace('Full run log written to ', '').trim());
    passed += summary.passed;
    failed += summary.failed;
  }
  console.log(`xapi conformance: ${passed} passed, ${failed} failed`);
  return failed === 0;
}

/**
 * Runs the suite, watching it: the console runner prints its totals every 2 s and (suite-progress.cjs)
 * each test as it starts. A run ends with its output, or early with `error` when it takes longer than
 * XAPI_CONFORMANCE_TIMEOUT_MINUTES or no test finishes for XAPI_CONFORMANCE_STALL_SECONDS; then the
 * error names the test it stopped at and says whether the server still answers.
 */
async function runSuite(args, base, version) {
  const minutes = Number(process.env.XAPI_CONFORMANCE_TIMEOUT_MINUTES ?? 30);
  const stallSeconds = Number(process.env.XAPI_CONFORMANCE_STALL_SECONDS ?? 90);
  // Its own process group: the runner forks the tests into a child, and both must go.
  const child = spawn('node', args, { cwd: suite, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  /** The tests in the order they started (written to .data/xapi-conformance/tests-<version>.txt). */
  const started = [];
  const t0 = Date.now();
  let stderr = '';
  let suiteTitle = '';
  let test = { title: '', index: 0 };
  let done = -1;
  let total = 0;
  let movedAt = Date.now();
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('@suite ')) return void (suiteTitle = line.slice(7));
    if (line.startsWith('@test ')) {
      test = { title: `${suiteTitle} > ${line.slice(6)}`, index: test.index + 1 };
      return void started.push(`${test.index}\t${Math.round((Date.now() - t0) / 1000)} s\t${test.title}`);
    }
    lines.push(line);
    if (!line.startsWith('{') || !line.includes('"passed"')) return;
    try {
      const s = JSON.parse(line);
      total = s.total ?? total;
      if (s.passed + s.failed !== done) [done, movedAt] = [s.passed + s.failed, Date.now()];
    } catch {
      // not a summary
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  /** The watchdog's verdict, once it has ended the run. */
  let verdict = null;
  const watch = setInterval(() => {
    const stalledFor = (Date.now() - movedAt) / 1000;
    let why = null;
    if (Date.now() - t0 > minutes * 60_000) why = `it ran past ${minutes} minutes (XAPI_CONFORMANCE_TIMEOUT_MINUTES)`;
    else if (stalledFor > stallSeconds) why = `no test finished for ${Math.round(stalledFor)} s (XAPI_CONFORMANCE_STALL_SECONDS)`;
    if (!why) return;
    clearInterval(watch);
    const at = `stopped at test ${test.index} of ${total || '?'}: ${test.title || '(none started)'}`;
    verdict = probe(base).then((server) => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      return `${why}; ${at}; ${server}`;
    });
  }, 1000);
  const status = await exited;
  clearInterval(watch);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, `tests-${version}.txt`), `${started.join('\n')}\n`);
  return { lines, stderr, status, started: started.length, error: verdict ? await verdict : null };
}

/** Whether the server still answers: the LRS's About resource within 5 s. */
async function probe(base) {
  const t0 = Date.now();
  try {
    const res = await fetch(`${base}/xapi/about`, { signal: AbortSignal.timeout(5000) });
    return `the server answers (/xapi/about ${res.status} in ${Date.now() - t0} ms): the suite is waiting on a request or a condition it never sees`;
  } catch (e) {
    return `the server did not answer /xapi/about within 5 s (${e.name}): the server has stalled`;
  }
}

/** The titles of the failed tests of a run log (the suite's -z: failures only), with their error. */
function printFailures(path) {
  if (!path || !existsSync(path)) return;
  const walk = (node, trail) => {
    if (!node) return;
    const children = (node.tests ?? []).filter(Boolean);
    const title = node.title ?? node.name ?? '';
    if (!children.length) {
      const error = typeof node.error === 'string' ? node.error : (node.error?.message ?? '');
      log(`  failed: ${[...trail, title].slice(1).join(' > ').slice(0, 300)} (${String(error).split('\n')[0].slice(0, 200)})`);
      return;
    }
    for (const child of children) walk(child, [...trail, title]);
  };
  walk(JSON.parse(readFileSync(path, 'utf8')).log, []);
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  log(error instanceof Failure ? error.message : error instanceof Error ? error.stack : String(error));
  console.log('xapi conformance: 0 passed, 1 failed');
} finally {
  await cleanUp();
}
process.exit(ok ? 0 : 1);
