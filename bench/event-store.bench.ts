/**
 * npm run bench:event-store — append and catch-up rates of the PostgreSQL event
 * store, the EventLog (encryption) and the projection runner, on a fresh database
 * (DATABASE_URL's server when set, else the embedded PostgreSQL). Each rate is
 * printed beside the anchors measured in the same run on the same server (a
 * raw single-row INSERT loop of 16 pg clients, and a COPY of as many rows) as
 * a ratio to them, with the load average.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { keyStoreUrlFor, migrateKeyStore, openDataSource, startEmbeddedPostgres } from '@learnstream/database';
import { EventLog, EventRegistry, PostgresEventStore, START, type EnvelopeInput } from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher, personal } from '@learnstream/personal-data';
import { ProjectionRunner } from '@learnstream/projections';
import { CourseLogProjection } from '@learnstream/reports';
import { measureAnchors } from './support';

const N = Number(process.argv[2] ?? 20000);

async function server(): Promise<{ url: URL; stop: () => Promise<void> }> {
  // The one place outside libs/config that reads the environment: a benchmark, not the app.
  const given = process.env.DATABASE_URL;
  if (given) return { url: new URL(given), stop: async () => undefined };
  const db = await startEmbeddedPostgres({ dataDir: resolve('.data/bench-postgres'), port: 54398, database: 'postgres' });
  return { url: new URL(db.url), stop: db.stop };
}

function envelope(course: string, learner: string): EnvelopeInput {
  return {
    actorId: learner, realActorId: null, courseId: course, schoolId: null, action: 'viewed', crud: 'r',
    object: { type: 'course', id: course }, relatedUserId: null, ip: '192.0.2.10', userAgent: 'bench/1.0',
    origin: 'web', correlationId: randomUUID(), causationId: null,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

async function main(): Promise<void> {
  const { url, stop } = await server();
  const name = `learnstream_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url.toString());
  dbUrl.pathname = `/${name}`;
  const dataSource = await openDataSource(dbUrl.toString(), []);
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 20 });
  // The database is dropped WITH (FORCE) at the end: a connection closed by that is expected.
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  const keysUrl = keyStoreUrlFor(dbUrl.toString());
  await migrateKeyStore(keysUrl);
  const keyPool = new pg.Pool({ connectionString: keysUrl, max: 5 });
  keyPool.on('error', () => undefined);
  const keys = new KeyStore(keyPool, randomBytes(32));
  const log = new EventLog(store, new PersonalDataCipher(keys), new EventRegistry().register({ type: 'CourseViewed', version: 1 }));
  const courses = Array.from({ length: 20 }, () => randomUUID());
  const learners = Array.from({ length: 200 }, () => randomUUID());
  const rows: [string, string][] = [];
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const anchors = await measureAnchors(
    { url: dbUrl.toString(), name, query: async (sql, params) => (await pool.query(sql, params)).rows, drop: async () => undefined },
    { data: { i: 0 }, metadata: envelope(courses[0], learners[0]) },
  );
  rows.push(['anchor: raw single-row INSERT, 16 clients (pg)', `${Math.round(anchors.insertPerSecond).toLocaleString('en')} rows/s (load average ${load()})`]);
  rows.push(['anchor: COPY of the same rows (pg-copy-streams)', `${Math.round(anchors.copyRowsPerSecond).toLocaleString('en')} rows/s`]);
  /** A rate, as a ratio to an anchor, with the load average now. */
  const rate = (n: number, s: number, anchor: 'insert' | 'copy' = 'copy') => {
    const r = n / s;
    const base = anchor === 'insert' ? anchors.insertPerSecond : anchors.copyRowsPerSecond;
    return `${Math.round(r).toLocaleString('en')} events/s = ${(r / base).toFixed(3)} × ${anchor === 'insert' ? 'raw INSERT' : 'COPY'} (load average ${load()})`;
  };

  // 1. Raw appends, one event per call, 16 concurrent writers.
  const [, single] = await timed(async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < N) {
        const i = next++;
        await store.appendToStream(`course-${courses[i % 20]}`, [{ type: 'CourseViewed', data: { i }, metadata: { schemaVersion: 1 } }]);
      }
    }));
  });
  rows.push(['append, 1 event/call, 16 writers (same 20 streams)', rate(N, single, 'insert')]);

  // 2. Raw appends in batches of 100.
  const [, batched] = await timed(async () => {
    for (let i = 0; i < N; i += 100) {
      await store.appendToStream(`course-${randomUUID()}`, Array.from({ length: 100 }, (_, j) => ({ type: 'CourseViewed', data: { i: i + j }, metadata: { schemaVersion: 1 } })));
    }
  });
  rows.push(['append, 100 events/call', rate(N, batched)]);

  // 3. EventLog appends with personal data and request metadata sealed.
  const [, sealed] = await timed(async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < N) {
        const i = next++;
        const learner = learners[i % learners.length];
        await log.append(`course-${courses[i % 20]}`, [{ type: 'CourseViewed', data: { note: personal(learner, `answer ${i}`) }, envelope: envelope(courses[i % 20], learner) }]);
      }
    }));
  });
  rows.push(['EventLog.append (sealed), 1 event/call, 16 writers', rate(N, sealed, 'insert')]);

  const total = 3 * N;
  // 4. Catch-up subscription over the whole log (paged reads).
  const [, catchUp] = await timed(async () => {
    const sub = store.subscribeToAll({ from: START });
    let n = 0;
    for await (const _ of sub) if (++n === total) break;
    await sub.close();
  });
  rows.push([`subscribeToAll catch-up over ${total.toLocaleString('en')} events`, rate(total, catchUp)]);

  // 5. Projection runner (decrypt + course log rows + checkpoint per batch) from zero.
  const runner = new ProjectionRunner(dataSource, log, [new CourseLogProjection()], { batchSize: 500 });
  const head = (await store.headPosition())!;
  const [, projected] = await timed(async () => {
    await runner.start();
    await runner.waitFor(head, 600_000);
  });
  await runner.stop();
  rows.push([`projection catch-up (course log), ${total.toLocaleString('en')} events`, rate(total, projected)]);

  const rss = `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB`;
  console.log(`\nLearnstream event store benchmark (${N.toLocaleString('en')} events per step, PostgreSQL ${url.host})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(62)} ${v}`);
  console.log('  (catch-up of all projections together on a 1,000,000-event term: npm run bench:reports)');
  console.log(`  ${'process RSS at the end'.padEnd(62)} ${rss}`);

  await store.close();
  await keys.close();
  await keyPool.end();
  await pool.end();
  await dataSource.destroy();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.query(`DROP DATABASE ${name}_keys WITH (FORCE)`);
  await admin.end();
  await stop();
}

void main();
