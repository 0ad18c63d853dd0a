/**
 * npm run eval:early-warning -- --data DIR [--at-day 30,60,90] [--json FILE] [--start 2013-10-01] [--threshold precision-first]
 *
 * The early-warning flag judged against how learners actually finished
 * (issue 18). On a fresh database (DATABASE_URL's server, else an embedded
 * PostgreSQL), with the real server started as a child process:
 *
 *   1. a school and its integration account (a school admin) through the API;
 *   2. the dataset (OULAD layout) imported into the school at its historic
 *      times (OuladImporter: the features' deciders and the EventLog, as
 *      `learnstream import oulad` does);
 *   3. when every projection has caught up, the class report of each
 *      presentation AS OF the end of each day asked (GET
 *      /reports/courses/{id}?asOf=…): its model flag and risk, and its
 *      baseline (the two rules of before);
 *   4. per presentation and pooled: base rate, learners excluded because they
 *      had already withdrawn, ROC AUC and PR AUC of the risk, precision,
 *      recall and F1 of the flag at the school's threshold, recall at
 *      precision 0.7 and 0.8; the same for the baseline's flag.
 *
 * A learner is positive when their final result is Fail or Withdrawn. The
 * model's risk from the API is also recomputed from the files with the same
 * code (libs/early-warning): they must agree (printed; the classes where they do
 * not are named, and the run exits 1).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { coalescingKeys } from '@learnstream/activity';
import type { AppConfig } from '@learnstream/config';
import { EVENT_TYPES } from '@learnstream/composition';
import {
  atRiskOutcome,
  courseFeatures,
  endOfDay,
  evaluate,
  leaveOneGroupOut,
  ouladSnapshot,
  ouladTrainingCourses,
  parseDays,
  readOulad,
  scoreLearners,
  trainingRows,
  TRAINED_MODEL,
  withdrawnBy,
  type Evaluation,
  type Scored,
  type ThresholdSetting,
} from '@learnstream/early-warning';
import { AppendBatcher, EventLog, EventRegistry, PostgresEventStore } from '@learnstream/event-store';
import { OuladImporter, ouladCourseId, ouladStudentId } from '@learnstream/interop';
import { PasswordHasher } from '@learnstream/identity';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import type { ClassReportView } from '@learnstream/progress';
import { ADMIN, api, freePort, freshDatabase, keyStorePool, serverEnv, signIn, sleep, startServer, type ServerProcess } from './support';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const DATA = option('data');
const DAYS = parseDays(option('at-day') ?? '30,60,90');
const JSON_FILE = option('json');
const START = option('start') ?? '2013-10-01';
const THRESHOLD = (option('threshold') ?? 'precision-first') as ThresholdSetting;
/** --accounts: open an account for every learner too (slow: the learners are ids otherwise, which is all the class report needs). */
const ACCOUNTS = argv.includes('--accounts');

interface Row extends Scored {
  module: string;
  presentation: string;
  baseline: boolean;
  flagged: boolean;
}

/** The eval's figures: those of libs/early-warning's evaluate, and the learners left out because they had already withdrawn. */
export type EvalFigures = Omit<Evaluation, 'positives'> & { excluded: number };

const figures = ({ positives: _positives, ...e }: Evaluation, excluded: number): EvalFigures => ({ ...e, excluded });
/** The model at its flag (threshold 0.5 on a 0/1 score: flagged or not), and the risk for the rankings. */
const modelFigures = (rows: Row[], excluded: number) => {
  const atFlag = evaluate(rows.map((r) => ({ score: r.flagged ? 1 : 0, positive: r.positive })), 0.5);
  const ranked = evaluate(rows, Infinity);
  return figures({ ...ranked, precision: atFlag.precision, recall: atFlag.recall, f1: atFlag.f1 }, excluded);
};
const baselineFigures = (rows: Row[], excluded: number) => figures(evaluate(rows.map((r) => ({ score: r.baseline ? 1 : 0, positive: r.positive })), 0.5), excluded);

const f3 = (x: number | null) => (x === null ? '   —  ' : x.toFixed(3).padStart(6));
const line = (label: string, m: EvalFigures, b: EvalFigures) =>
  `${label.padEnd(12)} ${String(m.learners).padStart(5)} ${String(m.excluded).padStart(5)} ${f3(m.baseRate)} | ${f3(m.rocAuc)} ${f3(m.prAuc)} ${f3(m.precision)} ${f3(m.recall)} ${f3(m.f1)} ${f3(m.recallAtPrecision70)} ${f3(m.recallAtPrecision80)} | ${f3(b.precision)} ${f3(b.recall)} ${f3(b.f1)} ${f3(b.rocAuc)}`;
/**
 * The honest figures on these modules: each module scored by the model's features and penalty fitted on the
 * others (at the model's days, as the trainer does), judged at the eval's days with the model's threshold.
 * null when there are fewer than two modules.
 */
function leaveOneModuleOut(presentations: ReturnType<typeof readOulad>, days: readonly number[]): Map<number, { pooled: Evaluation; byModule: Record<string, Evaluation> }> | null {
  if (new Set(presentations.map((p) => p.module)).size < 2) return null;
  const fitRows = trainingRows(ouladTrainingCourses(presentations, TRAINED_MODEL.atDays), TRAINED_MODEL.features);
  const judged = trainingRows(ouladTrainingCourses(presentations, days), TRAINED_MODEL.features);
  const heldOut = leaveOneGroupOut(fitRows, TRAINED_MODEL.features, TRAINED_MODEL.l2, judged);
  const threshold = TRAINED_MODEL.thresholds[THRESHOLD].threshold;
  return new Map(
    days.map((day) => {
      const at = heldOut.filter((h) => h.day === day);
      const modules = [...new Set(at.map((h) => h.group))].sort();
      return [day, { pooled: evaluate(at, threshold), byModule: Object.fromEntries(modules.map((m) => [m, evaluate(at.filter((h) => h.group === m), threshold)])) }];
    }),
  );
}
const lomoLine = (label: string, e: Evaluation) =>
  `${label.padEnd(12)} ${String(e.learners).padStart(5)} ${''.padStart(5)} ${f3(e.baseRate)} | ${f3(e.rocAuc)} ${f3(e.prAuc)} ${f3(e.precision)} ${f3(e.recall)} ${f3(e.f1)} ${f3(e.recallAtPrecision70)} ${f3(e.recallAtPrecision80)} |`;

const HEADER = `${'presentation'.padEnd(12)} ${'n'.padStart(5)} ${'excl'.padStart(5)} ${'base'.padStart(6)} | ${'ROC'.padStart(6)} ${'PR'.padStart(6)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'R@P.7'.padStart(6)} ${'R@P.8'.padStart(6)} | ${'base P'.padStart(6)} ${'base R'.padStart(6)} ${'bF1'.padStart(6)} ${'bROC'.padStart(6)}`;

function postWithoutTimeout(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function caughtUp(server: ServerProcess): Promise<void> {
  for (;;) {
    const res = await api<{ projections: { name: string; lag: number }[] }>(server.base, 'GET', '/api/v1/admin/projections', undefined, server.opsToken);
    if (res.body.projections.length && res.body.projections.every((p) => p.lag === 0)) return;
    await sleep(1000);
  }
}

async function main(): Promise<void> {
  if (!DATA || !DAYS || !['precision-first', 'recall-first'].includes(THRESHOLD)) {
    console.error('usage: npm run eval:early-warning -- --data DIR [--at-day 30,60,90] [--json FILE] [--start 2013-10-01] [--threshold precision-first|recall-first]');
    process.exitCode = 64;
    return;
  }
  const began = Date.now();
  const presentations = readOulad(DATA, START);
  const lomo = leaveOneModuleOut(presentations, DAYS);
  const db = await freshDatabase('ew-eval-test', 54397);
  const env = serverEnv(db.url, await freePort());
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ databaseUrl: db.url, env });
    const admin = await signIn(server.base, ADMIN.username, ADMIN.password);
    const school = await api<{ schoolId: string }>(server.base, 'POST', '/api/v1/schools', { name: 'Open University (OULAD)', code: 'OULAD', country: 'GB' }, admin.token);
    const username = 'oulad-integration';
    const password = randomBytes(12).toString('base64url');
    const integration = await api<{ userId: string }>(
      server.base,
      'POST',
      '/api/v1/users',
      { username, password, displayName: 'OULAD integration', email: 'oulad@example.com', schoolId: school.body.schoolId, role: 'school_admin' },
      admin.token,
    );
    if (integration.status !== 201) throw new Error(`opening the integration account: ${integration.status} ${JSON.stringify(integration.body)}`);
    let reader = await signIn(server.base, username, password);
    if (THRESHOLD !== 'precision-first') await api(server.base, 'PUT', `/api/v1/reports/schools/${school.body.schoolId}/early-warning`, { threshold: THRESHOLD }, reader.token);

    // The import, in this process, on the same database (the server's projections follow it).
    const pool = new pg.Pool({ connectionString: db.url, max: 8 });
    pool.on('error', () => undefined);
    const inner = new PostgresEventStore(pool);
    const batcher = new AppendBatcher(pool, inner, { maxConcurrentCommits: 3, queueMaxEvents: 1_000_000, maxBatchEvents: 20_000 });
    const keyPool = await keyStorePool(db.url);
    const keys = new KeyStore(keyPool, Buffer.from(env.MASTER_KEY, 'base64'));
    await keys.verifyMasterKey();
    const log = new EventLog(batcher, new PersonalDataCipher(coalescingKeys(keys)), new EventRegistry().register(...EVENT_TYPES));
    const passwordHash = await new PasswordHasher({ auth: { argon2: { memoryKiB: 19456, passes: 2 } } } as AppConfig).hash(randomBytes(24).toString('base64url'));
    console.log(`importing ${DATA}: ${presentations.length} presentations …`);
    const imported = await new OuladImporter(log).run({ dir: DATA, start: START, schoolId: school.body.schoolId, by: integration.body.userId, passwordHash, accounts: ACCOUNTS, onProgress: (l) => console.log(`  ${l}`) });
    await batcher.drain();
    await inner.close();
    await keys.close();
    await keyPool.end();
    await pool.end();
    console.log(
      `  ${imported.events} events in ${imported.seconds.toFixed(1)} s: ${imported.accounts} accounts, ${imported.enrolments} enrolments (${imported.unenrolments} ended), ${imported.assignments} assignments, ${imported.submissions} submissions, ${imported.grades} grades; ${imported.refused} results after the learner had left refused`,
    );
    const importedAt = Date.now();
    // The import's EventLog here has no inline read models (the server writes those in its own appends):
    // the server replays the log into the ones the class report and the access policy read.
    for (const name of ['courses', 'course-enrolments', 'assessments']) {
      // An inline read model is rebuilt within the request: over 200,000 events under load it outlasts fetch's 300 s for the headers.
      const rebuilt = await postWithoutTimeout(`${server.base}/api/v1/admin/projections/${name}/rebuild`, server.opsToken);
      if (rebuilt.status >= 300) throw new Error(`rebuild of ${name}: ${rebuilt.status} ${rebuilt.body}`);
    }
    await caughtUp(server);
    const caughtUpAt = Date.now();
    console.log(`  projections caught up in ${((caughtUpAt - importedAt) / 1000).toFixed(1)} s`);
    // The import and the catch-up outlast an access token: sign in again for the reports.
    reader = await signIn(server.base, username, password);

    const output: { days: { atDay: number; pooled: EvalFigures; baseline: EvalFigures; leaveOneModuleOut: EvalFigures | null; presentations: (EvalFigures & { module: string; presentation: string; baseline: EvalFigures })[] }[] } = { days: [] };
    let agree = 0;
    let compared = 0;
    for (const day of DAYS) {
      const rows: Row[] = [];
      let excludedAll = 0;
      const per: (EvalFigures & { module: string; presentation: string; baseline: EvalFigures })[] = [];
      for (const p of presentations) {
        const asOf = new Date(endOfDay(p.startAt, day)).toISOString();
        const res = await api<ClassReportView>(server.base, 'GET', `/api/v1/reports/courses/${ouladCourseId(p.module, p.presentation)}?asOf=${asOf}`, undefined, reader.token);
        if (res.status !== 200) throw new Error(`class report of ${p.module} ${p.presentation} as of ${asOf}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        const students = new Map(p.students.map((s) => [ouladStudentId(s.id), s]));
        const mine: Row[] = [];
        let excluded = 0;
        for (const participant of res.body.participants) {
          const s = students.get(participant.learnerId)!;
          if (participant.status !== 'active') {
            if (withdrawnBy(p, s, day)) excluded += 1;
            continue;
          }
          if (!participant.atRisk) continue;
          mine.push({ module: p.module, presentation: p.presentation, score: participant.atRisk.risk, positive: atRiskOutcome(s), flagged: participant.atRisk.flagged, baseline: participant.atRisk.baseline.flagged });
        }
        // The same model on the same facts, from the files: the API's risks must be these.
        const fromFiles = new Map(scoreLearners(TRAINED_MODEL, courseFeatures(ouladSnapshot(p, day)), THRESHOLD).map((r) => [ouladStudentId(r.learnerId), Math.round(r.risk * 1000) / 1000]));
        let differ = 0;
        const examples: string[] = [];
        for (const participant of res.body.participants) {
          if (!participant.atRisk) continue;
          compared += 1;
          const expected = fromFiles.get(participant.learnerId);
          if (expected === participant.atRisk.risk) agree += 1;
          else {
            differ += 1;
            if (examples.length < 3) examples.push(`${participant.learnerId}: API ${participant.atRisk.risk}, files ${expected ?? 'not scored'}`);
          }
        }
        const unscored = [...fromFiles.keys()].filter((id) => !res.body.participants.some((x) => x.learnerId === id && x.atRisk)).length;
        if (differ || unscored) console.log(`  ${p.module} ${p.presentation} day ${day}: ${differ} API risks differ from the files, ${unscored} scored from the files only; e.g. ${examples.join('; ')}`);
        rows.push(...mine);
        excludedAll += excluded;
        per.push({ module: p.module, presentation: p.presentation, ...modelFigures(mine, excluded), baseline: baselineFigures(mine, excluded) });
      }
      const pooled = modelFigures(rows, excludedAll);
      const baseline = baselineFigures(rows, excludedAll);
      const held = lomo?.get(day);
      output.days.push({ atDay: day, pooled, baseline, leaveOneModuleOut: held ? figures(held.pooled, excludedAll) : null, presentations: per });
      console.log(`\nday ${day} (flag: ${THRESHOLD}, risk ≥ ${TRAINED_MODEL.thresholds[THRESHOLD].threshold.toFixed(3)}; baseline: the two rules)`);
      console.log(HEADER);
      for (const r of per) console.log(line(`${r.module} ${r.presentation}`, r, r.baseline));
      console.log(line('pooled', pooled, baseline));
      if (held) {
        console.log(`leave-one-module-out (each module scored by the model fitted on the others, from the files; the figures above are in-sample where the bundled model was fitted on these modules):`);
        for (const [m, e] of Object.entries(held.byModule)) console.log(lomoLine(`  ${m}`, e));
        console.log(lomoLine('  pooled', held.pooled));
      } else console.log('leave-one-module-out: needs two modules or more');
    }
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    console.log(`\nAPI risks equal to the same model on the files: ${agree} of ${compared}`);
    // The class report and the files are one code on the same facts: any difference is a bug (exit 1 after the table).
    if (agree !== compared) process.exitCode = 1;
    console.log(`total ${((Date.now() - began) / 1000).toFixed(1)} s (import ${imported.seconds.toFixed(1)} s, catch-up ${((caughtUpAt - importedAt) / 1000).toFixed(1)} s, reports ${((Date.now() - caughtUpAt) / 1000).toFixed(1)} s); load average ${load}`);
    if (JSON_FILE) writeFileSync(JSON_FILE, `${JSON.stringify(output, null, 2)}\n`);
    await server.stop();
    server = undefined;
  } finally {
    // On a failure: the server's last words, then it goes with the database.
    if (server) console.error(`server output:\n${server.output().slice(-4000)}`);
    await server?.kill();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
