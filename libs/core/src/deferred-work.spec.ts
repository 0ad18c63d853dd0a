/**
 * Deferred work meets a real terminated backend (57P01) and is carried out all
 * the same; work that fails for another reason is not run again.
 */
import pg from 'pg';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { DeferredWork } from './deferred-work';

let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
beforeAll(async () => {
  db = await createMigratedDatabase();
  await db.dataSource.query('CREATE TABLE deferred_probe (n int)');
});
afterAll(() => db.drop());

/** One attempt: the first has its own backend terminated under it (as a failover or an operator would), the next inserts. */
async function attempt(tries: { n: number }): Promise<void> {
  tries.n += 1;
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (tries.n === 1) await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
    await client.query('INSERT INTO deferred_probe (n) VALUES ($1)', [tries.n]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

it('carries out work whose database connection was terminated, by running it again', async () => {
  const deferred = new DeferredWork();
  const tries = { n: 0 };
  deferred.run('probe', { request: null }, () => attempt(tries));
  await deferred.settled();
  expect(tries.n).toBe(2);
  expect((await db.dataSource.query('SELECT n FROM deferred_probe')) as unknown[]).toEqual([{ n: 2 }]);
});

it('does not run work again that failed for a reason of its own', async () => {
  const deferred = new DeferredWork();
  let runs = 0;
  deferred.run('probe', { request: null }, async () => {
    runs += 1;
    await db.dataSource.query('SELECT 1 / 0');
  });
  await deferred.settled();
  expect(runs).toBe(1);
});
