/**
 * npm run bench:erasure [-- events…] — how long it takes to erase a learner
 * with 10,000 and with 100,000 events (default; or the sizes given) and to
 * have every projection acknowledge it: approval → last receipt, with the
 * load average beside it and the ratio to the smallest size of the same run.
 *
 * A fresh database (DATABASE_URL's server when set, else the embedded
 * PostgreSQL) with every migration; the real event types and every read
 * model of the composition. The learner's year of activity (views of a
 * course and its resources, an account, a membership, an enrolment) and
 * their teacher's reads about them, among 200 classmates' background
 * events; the projections catch up; then the erasure is approved and timed:
 *
 *   keys + ledger + username index + sessions + SubjectErased appended
 *   → every projection has forgotten the learner (erasure_receipts complete)
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { EVENT_TYPES, readModels } from '@learnstream/composition';
import { openDataSource } from '@learnstream/database';
import { systemClock } from '@learnstream/domain';
import { EventLog, EventRegistry, PostgresEventStore, type EnvelopeInput, type NewEvent } from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher, personal } from '@learnstream/personal-data';
import { decideRequest, ErasureService, MentionFinder, PrivacyRepository } from '@learnstream/privacy';
import { ProjectionRunner } from '@learnstream/projections';
import { freshDatabase, keyStorePool } from './support';

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!SIZES.length) SIZES.push(10_000, 100_000);
const CLASSMATES = 200;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

function envelope(actorId: string, courseId: string | null, schoolId: string, at: Date, fields: Partial<EnvelopeInput> = {}): EnvelopeInput {
  return {
    actorId, realActorId: null, courseId, schoolId, action: 'viewed', crud: 'r', object: courseId ? { type: 'course', id: courseId } : null, relatedUserId: null,
    ip: '203.0.113.77', userAgent: 'bench/1.0', origin: 'web', correlationId: randomUUID(), causationId: null, occurredAt: at.toISOString(), ...fields,
  };
}

function accountCreated(userId: string, schoolId: string, at: Date, name: string): NewEvent {
  const p = (v: unknown) => personal(userId, v);
  return {
    type: 'AccountCreated',
    data: {
      userId, origin: 'staff', username: p(`user-${userId.slice(0, 8)}`), passwordHash: p('$argon2id$bench'), mustChangePassword: false, platformRoles: [],
      openedBy: null, consent: null, minor: false, at: at.toISOString(),
      profile: { displayName: p(name), givenName: p(name.split(' ')[0]), familyName: p(name.split(' ')[1] ?? null), email: p(`${userId.slice(0, 8)}@example.com`), phone: p('+66 81 555 0199'), dateOfBirth: p('2004-06-07'), gender: null, nationalId: p('1103700123457'), country: p('TH'), interests: p([]) },
    },
    envelope: envelope(userId, null, schoolId, at, { action: 'created', crud: 'c', object: { type: 'user', id: userId }, relatedUserId: userId }),
  };
}

async function run(N: number): Promise<{ N: number; totalMs: number; load: number[] }> {
  const database = await freshDatabase('learnstream-bench-erasure', 54397);
  const dataSource = await openDataSource(database.url);
  const pool = new pg.Pool({ connectionString: database.url, max: 20 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  const keyPool = await keyStorePool(database.url);
  const keys = new KeyStore(keyPool, randomBytes(32));
  const log = new EventLog(store, new PersonalDataCipher(keys), new EventRegistry().register(...EVENT_TYPES));
  const { projections } = readModels();
  const runner = new ProjectionRunner(dataSource, log, projections, { batchSize: 500 });

  const school = randomUUID();
  const course = randomUUID();
  const section = randomUUID();
  const resources = Array.from({ length: 20 }, () => randomUUID());
  const learner = randomUUID();
  const teacher = randomUUID();
  const classmates = Array.from({ length: CLASSMATES }, () => randomUUID());
  const yearAgo = Date.now() - 365 * 86_400_000;
  const when = (i: number, n: number) => new Date(yearAgo + Math.floor((i / n) * 364 * 86_400_000));

  // The learner's N events: account, membership, enrolment, a year of views, and their teacher's reads about them.
  const [, appendMs] = await timed(async () => {
    const start = new Date(yearAgo);
    await log.append(`user-${learner}`, [
      accountCreated(learner, school, start, 'Malee Srisuk'),
      {
        type: 'SchoolJoined',
        data: { membershipId: randomUUID(), userId: learner, schoolId: school, role: 'learner', classId: null, gradeLevel: personal(learner, 'M4'), by: null, at: start.toISOString() },
        envelope: envelope(learner, null, school, start, { action: 'joined', crud: 'c', object: { type: 'school', id: school }, relatedUserId: learner }),
      },
    ]);
    for (const c of classmates) await log.append(`user-${c}`, [accountCreated(c, school, start, 'Classmate Somchai')]);
    const views = N - 2;
    for (let i = 0; i < views; i += 250) {
      const batch: NewEvent[] = [];
      for (let k = i; k < Math.min(i + 250, views); k++) {
        const at = when(k, views);
        if (k % 10 === 9) {
          // Her teacher reads her grades: she is the related user.
          batch.push({ type: 'GradesViewed', data: { courseId: course, learnerId: learner, final: false }, envelope: envelope(teacher, course, school, at, { relatedUserId: learner, object: { type: 'course', id: course } }) });
        } else if (k % 2) {
          const resourceId = resources[k % resources.length];
          batch.push({ type: 'ResourceViewed', data: { courseId: course, sectionId: section, resourceId, userId: learner }, envelope: envelope(learner, course, school, at, { object: { type: 'resource', id: resourceId } }) });
        } else {
          batch.push({ type: 'CourseViewed', data: { courseId: course, userId: learner }, envelope: envelope(learner, course, school, at) });
        }
      }
      await log.appendBatch([
        { streamId: `activity-${learner}`, events: batch.filter((e) => e.envelope.actorId === learner), expectedRevision: 'any' as const },
        { streamId: `activity-${teacher}`, events: batch.filter((e) => e.envelope.actorId === teacher), expectedRevision: 'any' as const },
      ].filter((r) => r.events.length));
    }
    // Background: the classmates' views (N in all).
    for (let i = 0; i < N; i += 500) {
      const batch = Array.from({ length: Math.min(500, N - i) }, (_, k): NewEvent => {
        const c = classmates[(i + k) % CLASSMATES];
        return { type: 'CourseViewed', data: { courseId: course, userId: c }, envelope: envelope(c, course, school, when(i + k, N)) };
      });
      await log.append(`activity-${randomUUID()}`, batch);
    }
  });

  const head = (await store.headPosition())!;
  const [, catchUpMs] = await timed(async () => {
    await runner.start();
    await runner.waitFor(head, 600_000);
  });

  const rows = async () => {
    const [r] = await database.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM course_log WHERE actor_id = $1 OR related_user_id = $1) + (SELECT count(*) FROM subject_events WHERE user_id = $1)
            + (SELECT count(*) FROM usage_daily_actors WHERE user_id = $1) + (SELECT count(*) FROM accounts WHERE user_id = $1) AS n`,
      [learner],
    );
    return Number(r.n);
  };
  const rowsBefore = await rows();

  // The approved erasure request.
  const repo = new PrivacyRepository(log);
  const erasure = new ErasureService(systemClock, repo, keys, new MentionFinder(pool), pool);
  const requestId = randomUUID();
  const dpo = { userId: randomUUID(), realActorId: null, request: null };
  await repo.changeRequest(requestId, { userId: learner, realActorId: null, request: null }, (s) =>
    decideRequest({ type: 'File', requestId, subjectId: learner, requestType: 'erasure', filedBy: learner, filedAs: 'self', details: null, now: new Date(), deadlineDays: 30 }, s),
  );
  await repo.changeRequest(requestId, dpo, (s) => decideRequest({ type: 'Approve', by: dpo.userId, reason: null, now: new Date() }, s));
  const settledHead = (await store.headPosition())!;
  await runner.waitFor(settledHead, 60_000);

  const started = process.hrtime.bigint();
  const [, shredMs] = await timed(() => erasure.erase(requestId, dpo));
  const acknowledged = new Map<string, number>();
  for (;;) {
    const receipts = await database.query<{ projection: string }>('SELECT projection FROM erasure_receipts WHERE request_id = $1', [requestId]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const r of receipts) if (!acknowledged.has(r.projection)) acknowledged.set(r.projection, ms);
    if (acknowledged.size === projections.length) break;
    if (ms > 120_000) throw new Error(`only ${acknowledged.size} of ${projections.length} projections acknowledged`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const totalMs = Math.max(...acknowledged.values());
  const rowsAfter = await rows();
  const { rows: [{ n: keysLeft }] } = await keyPool.query<{ n: string }>('SELECT count(*) AS n FROM subject_keys WHERE subject_id = $1', [learner]);

  const total = await store.countAfter({ commit: -1n, prepare: -1n }, 10_000_000);
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`\nLearnstream erasure benchmark (PostgreSQL ${new URL(database.url).host}; ${projections.length} projections)`);
  console.log(`  ${'events of the erased learner (theirs + about them)'.padEnd(62)} ${N.toLocaleString('en')}`);
  console.log(`  ${'events in the log'.padEnd(62)} ${total.toLocaleString('en')}`);
  console.log(`  ${'append (setup)'.padEnd(62)} ${fmt(appendMs)}`);
  console.log(`  ${'projections catch-up from zero (setup)'.padEnd(62)} ${fmt(catchUpMs)}`);
  console.log(`  ${'shred: keys, ledger, username index, sessions, SubjectErased'.padEnd(62)} ${fmt(shredMs)}`);
  console.log(`  ${'erase → every projection acknowledged'.padEnd(62)} ${fmt(totalMs)}`);
  const slowest = [...acknowledged].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, ms]) => `${p} ${fmt(ms)}`).join(', ');
  console.log(`  ${'slowest receipts'.padEnd(62)} ${slowest}`);
  console.log(`  ${'rows naming the learner before → after'.padEnd(62)} ${rowsBefore.toLocaleString('en')} → ${rowsAfter}`);
  console.log(`  ${'keys of the learner left'.padEnd(62)} ${keysLeft}`);

  const load = loadavg();
  console.log(`  ${'load average (1, 5, 15 min) at the end'.padEnd(62)} ${load.map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`);

  await runner.stop();
  await store.close();
  await keys.close();
  await keyPool.end();
  await pool.end();
  await dataSource.destroy();
  await database.drop();
  return { N, totalMs, load };
}

async function main(): Promise<void> {
  const results = [];
  for (const n of SIZES) results.push(await run(n));
  const anchor = results[0];
  console.log('\napproval → last receipt, by the learner\'s events (ratio to the first size, same run)');
  for (const r of results) {
    console.log(`  ${r.N.toLocaleString('en').padStart(9)} events  ${r.totalMs.toFixed(0).padStart(7)} ms  ×${(r.totalMs / anchor.totalMs).toFixed(2)}  load ${r.load.map((l) => l.toFixed(2)).join(' ')}`);
  }
}

void main();
