/**
 * npm run bench:import [-- rows] [-- --profile] — the Moodle log import (libs/interop) of a
 * 100,000-row logstore_standard_log file (default), as an operator runs it:
 * the built CLI in its own process, with the node flags of `npm run cli` (`learnstream import moodle-logs FILE
 * --school S --create-missing --json`) on a fresh database (DATABASE_URL's
 * server, else an embedded PostgreSQL) whose platform admin and school the
 * built server created. 200 Moodle users, 20 courses, 60 modules, none known
 * beforehand (placeholders are created on the way).
 *
 * Prints rows/s (of the import itself, and wall time with the process start),
 * the CLI process's peak RSS and CPU time (user + sys, sampled from /proc:
 * on a loaded machine the wall time says more about the load than about the
 * import), and, as the anchor measured in the same run,
 * rows/s of reading and parsing the same file alone (no database): the
 * ratio says what the database side costs. The load average is printed
 * beside them. Floors of issue 16: ≥ 10,000 rows/s, ≤ 200 MB.
 */
import 'reflect-metadata';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN, fmt, freshDatabase, must, signIn, startServer, summariseProfile, table } from './support';
import { readLogFile } from '../libs/interop/src/moodle/log-files';
import { columnsOf, parseRow, type Columns } from '../libs/interop/src/moodle/moodle-log';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const PROFILE = process.argv.includes('--profile') ? resolve('.data/bench-import-profile') : null;
/** Node's flags of `npm run cli` (package.json): the CLI runs here as an operator runs it. */
const CLI_NODE_FLAGS = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.cli.split(/\s+/).filter((a) => a.startsWith('--'));
/** Clock ticks per second of /proc/PID/stat (getconf CLK_TCK). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const HEADER = 'id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid';

function writeLog(path: string): void {
  const lines = [HEADER];
  const start = 1_714_550_400;
  for (let i = 0; i < N; i++) {
    const user = 1000 + (i % 200);
    const course = 500 + (i % 20);
    const cm = 9000 + (i % 60);
    const at = start + i * 13;
    const kind = i % 10;
    if (kind < 5) lines.push(`${i + 1},\\core\\event\\course_viewed,core,viewed,course,,,r,2,${course},50,${course},${user},${course},,0,N;,${at},web,10.${i % 250}.${i % 200}.1,`);
    else if (kind < 8) lines.push(`${i + 1},\\mod_page\\event\\course_module_viewed,mod_page,viewed,course_module,page,${cm},r,2,${cm},70,${cm},${user},${course},,0,N;,${at},web,10.${i % 250}.${i % 200}.1,`);
    else if (kind === 8) lines.push(`${i + 1},\\core\\event\\user_loggedin,core,loggedin,user,user,${user},r,0,1,10,0,${user},0,,0,"a:1:{s:8:""username"";s:6:""u${user}"";}",${at},web,10.${i % 250}.${i % 200}.1,`);
    else lines.push(`${i + 1},\\mod_forum\\event\\discussion_viewed,mod_forum,viewed,discussion,forum_discussions,${i % 500},r,2,${cm},70,${cm},${user},${course},,0,N;,${at},web,2001:db8::${(i % 999).toString(16)},`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The variables of `names` this process has. */
function passedOn(names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n]!]])));
}

/** The anchor: read and parse the file, nothing else. */
async function parseOnly(path: string): Promise<{ rows: number; ms: number }> {
  const t = process.hrtime.bigint();
  let columns: Columns | null = null;
  let rows = 0;
  for await (const record of readLogFile(path)) {
    if (!columns) {
      columns = (columnsOf(record.fields) as { columns: Columns }).columns;
      continue;
    }
    if ('row' in parseRow(record, columns, record.line)) rows++;
  }
  return { rows, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const file = join(dir, 'standard_log.csv');
  writeLog(file);
  const database = await freshDatabase('learnstream-bench-import', 54398);
  try {
    const server = await startServer({ databaseUrl: database.url });
    const admin = await signIn(server.base, ADMIN.username, ADMIN.password);
    const school = await must<{ schoolId: string }>(201, server.base, 'POST', '/api/v1/schools', { name: 'Bench School', code: 'BENCH', country: 'TH' }, admin.token);
    const schoolId = school.schoolId;
    await server.stop();

    const anchor = await parseOnly(file);

    const started = Date.now();
    if (PROFILE) rmSync(PROFILE, { recursive: true, force: true });
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []), resolve('dist/apps/cli/src/main.js'), 'import', 'moodle-logs', file, '--school', schoolId, '--create-missing', '--json'], {
      // The CLI's own settings, when the bench is given them (A/B runs of its heap growth): else its defaults.
      env: { PATH: process.env.PATH ?? '', ...server.env, LOG_LEVEL: 'warn', ...passedOn(['CLI_HEAP_GROWING_PERCENT', 'NODE_OPTIONS']) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    let peak = 0;
    let cpuTicks = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
        // utime and stime (fields 14 and 15): the CPU the CLI had, less dependent on the machine's load than its wall time.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuTicks = Number(fields[11]) + Number(fields[12]);
      } catch {
        // exited
      }
    };
    const sampler = setInterval(sample, 50);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(sampler);
    const wallMs = Date.now() - started;
    if (code !== 0) throw new Error(`the import exited with ${code}:\n${err}\n${out}`);
    const summary = JSON.parse(out.trim().split('\n').pop()!);
    const rows = summary.thisRun.rows as number;
    const importRate = (rows * 1000) / summary.thisRun.elapsedMs;
    const anchorRate = (anchor.rows * 1000) / anchor.ms;
    const settings = [...CLI_NODE_FLAGS, ...Object.entries(passedOn(['CLI_HEAP_GROWING_PERCENT', 'NODE_OPTIONS'])).map(([k, v]) => `${k}=${v}`)].join(' ');
    console.log(
      table(`Moodle log import, ${fmt(N)} rows${settings ? ` (${settings})` : ''} (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`, [
        ['rows read / events appended', `${fmt(rows)} / ${fmt(summary.thisRun.appended)}`],
        ['import (inside the CLI)', `${fmt(summary.thisRun.elapsedMs / 1000, 1)} s, ${fmt(importRate)} rows/s (floor 10,000)`],
        ['wall time with the process start', `${fmt(wallMs / 1000, 1)} s, ${fmt((rows * 1000) / wallMs)} rows/s`],
        ['CLI peak RSS (VmHWM)', `${fmt(peak)} MiB (ceiling 200)`],
        ['CLI CPU time, user + sys (its start included)', `${fmt(cpuTicks / CLOCK_TICKS, 1)} s: ${fmt(rows / (cpuTicks / CLOCK_TICKS))} rows per CPU second`],
        ['anchor: read + parse only, this process', `${fmt(anchorRate)} rows/s`],
        ['import / anchor', `${fmt(importRate / anchorRate, 3)}`],
        ['placeholders created', `${summary.counts.created.users} users, ${summary.counts.created.courses} courses, ${summary.counts.created.resources} resources`],
      ]),
    );
    if (PROFILE) console.log(summariseProfile(PROFILE));
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
