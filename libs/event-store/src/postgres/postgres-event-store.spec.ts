import { jest } from '@jest/globals';
import pg from 'pg';
import { createMigratedDatabase } from '../../../../test/support/test-database';
import { comparePositions, START, type RecordedEvent } from '../event-store';
import { collect, describeEventStoreContract, makeEvent, take, uniqueStream } from '../testing/event-store.contract';
import { AppendBatcher } from './append-batcher';
import { PostgresEventStore } from './postgres-event-store';

async function openStore(options = {}) {
  const db = await createMigratedDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 20 });
  // An idle connection closed by the server (a database dropped at teardown) is not a test failure.
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool, options);
  return {
    store,
    pool,
    close: async () => {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

describeEventStoreContract('postgres', () => openStore());

describe('PostgresEventStore wake-ups', () => {
  /** Whether the store's LISTEN connection is up: without it the subscription would poll every 20 ms and prove nothing. */
  const listening = (ctx: Awaited<ReturnType<typeof openStore>>) => (ctx.store as unknown as { listener: { live: boolean } }).listener.live;

  it('wakes a live subscription by the NOTIFY of an append and of a group commit, not by polling', async () => {
    // No safety poll for a minute: only the notification sent by the append itself can wake the subscription within seconds.
    // Once woken, it polls every 20 ms while the notified transaction is held back behind an older open one (another test
    // file's, on a shared database): that poll follows the notification, it does not stand in for it.
    const ctx = await openStore({ pollIntervalMs: 20, safetyPollMs: 60_000 });
    try {
      const batcher = new AppendBatcher(ctx.pool, ctx.store);
      const sub = ctx.store.subscribeToAll({ filter: { streamPrefixes: ['woken-'] } });
      const iterator = sub[Symbol.asyncIterator]();
      const next = () => take({ [Symbol.asyncIterator]: () => iterator }, 1, 10_000);
      // The subscription has read the (empty) log and is waiting: its first page is behind it.
      const first = next();
      await new Promise((r) => setTimeout(r, 300));
      expect(listening(ctx)).toBe(true);
      await ctx.store.appendToStream(uniqueStream('woken'), [makeEvent('Woken', 0)]);
      expect((await first).map((e) => e.data)).toEqual([{ n: 0 }]);
      // Each one on its own: the group commit's notification does not stand in for the single append's.
      const second = next();
      await new Promise((r) => setTimeout(r, 300));
      await batcher.appendToStream(uniqueStream('woken'), [makeEvent('Woken', 1)]);
      expect((await second).map((e) => e.data)).toEqual([{ n: 1 }]);
      await sub.close();
      await batcher.drain();
    } finally {
      await ctx.close();
    }
  });

  it.each([
    ['a single append', async (ctx: Awaited<ReturnType<typeof openStore>>) => void (await ctx.store.appendToStream(uniqueStream('alone'), [makeEvent('Alone', 0)]))],
    ['a multi-stream batch', async (ctx: Awaited<ReturnType<typeof openStore>>) =>
      void (await ctx.store.appendBatch([0, 1].map((i) => ({ streamId: uniqueStream('alone'), events: [makeEvent('Alone', i)], expectedRevision: 'no_stream' as const }))))],
  ])('wakes it by the NOTIFY of %s of the store alone (no group commit to wake it instead)', async (_name, append) => {
    const ctx = await openStore({ pollIntervalMs: 20, safetyPollMs: 60_000 });
    try {
      const sub = ctx.store.subscribeToAll({ filter: { streamPrefixes: ['alone-'] } });
      const received = take(sub, 1, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(listening(ctx)).toBe(true);
      await append(ctx);
      expect((await received).map((e) => e.type)).toEqual(['Alone']);
      await sub.close();
    } finally {
      await ctx.close();
    }
  });
});

describe('PostgresEventStore without its LISTEN connection', () => {
  it('an idle subscription whose LISTEN connection is terminated polls until it is back: an append meanwhile (its NOTIFY lost) is read at once, not at the next safety poll', async () => {
    const ctx = await openStore({ pollIntervalMs: 20, safetyPollMs: 60_000 });
    const listener = (ctx.store as unknown as { listener: { live: boolean } }).listener;
    const until = async (what: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !what(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > deadline) throw new Error('timed out');
    };
    try {
      const sub = ctx.store.subscribeToAll({ filter: { streamPrefixes: ['unheard-'] } });
      const received = take(sub, 1, 10_000);
      // The subscription has read the (empty) log and waits for a notification (no safety poll for a minute).
      await until(() => listener.live);
      await new Promise((r) => setTimeout(r, 300));
      // The server ends the LISTEN connection (a failover, an operator's pg_terminate_backend); the process reconnects later.
      const { rows } = await ctx.pool.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'learnstream-listen'`,
      );
      expect(rows[0].n).toBe(1);
      await until(() => !listener.live);
      await ctx.store.appendToStream(uniqueStream('unheard'), [makeEvent('Unheard', 0)]);
      expect((await received).map((e) => e.type)).toEqual(['Unheard']);
      await sub.close();
    } finally {
      await ctx.close();
    }
  });
});

describe('PostgresEventStore', () => {
  let ctx: Awaited<ReturnType<typeof openStore>>;
  beforeAll(async () => {
    ctx = await openStore({ pageSize: 50, pollIntervalMs: 20 });
  });
  afterAll(() => ctx.close());

  it('delivers every event exactly once, in order, to a live subscriber while many writers commit out of position order', async () => {
    const writers = 16;
    const appendsPerWriter = 40;
    const sub = ctx.store.subscribeToAll({ filter: { streamPrefixes: ['race-'] } });
    const expected = writers * appendsPerWriter * 2;
    const received = take(sub, expected, 60000);

    // Some writers hold their transaction open after taking a sequence number, so that
    // later positions commit first: the classic way a sequence-only reader skips events.
    const slowWriter = async (w: number, i: number) => {
      const client = await ctx.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO streams (stream_id, revision) VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + 2`,
          [`race-slow${w}-${i}`],
        );
        await client.query(
          `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
           VALUES ($1, 0, gen_random_uuid(), 'Raced', $2, '{}'), ($1, 1, gen_random_uuid(), 'Raced', $3, '{}')`,
          [`race-slow${w}-${i}`, JSON.stringify({ w, i, k: 0 }), JSON.stringify({ w, i, k: 1 })],
        );
        await new Promise((r) => setTimeout(r, Math.random() * 15));
        await client.query(`SELECT pg_notify('learnstream_events', '')`);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          if (w % 4 === 0) await slowWriter(w, i);
          else await ctx.store.appendToStream(`race-${w}`, [makeEvent('Raced', i, { w, k: 0 }), makeEvent('Raced', i, { w, k: 1 })]);
        }
      }),
    );

    const events = await received;
    await sub.close();
    const ids = new Set(events.map((e) => e.id));
    expect(ids.size).toBe(expected); // no duplicates
    const stored = await ctx.pool.query(`SELECT event_id FROM events WHERE stream_id LIKE 'race-%'`);
    expect(stored.rowCount).toBe(expected);
    for (const row of stored.rows) expect(ids.has(row.event_id)).toBe(true); // none skipped
    for (let i = 1; i < events.length; i++) {
      expect(comparePositions(events[i - 1].position, events[i].position)).toBeLessThan(0); // strictly increasing
    }
    // Each stream's events arrive in revision order.
    const byStream = new Map<string, bigint[]>();
    for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
    for (const revisions of byStream.values()) expect(revisions).toEqual([...revisions].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('does not deliver events of a transaction that is still open, nor anything after it, until it commits', async () => {
    const head = (await ctx.store.headPosition()) ?? START;
    const open = await ctx.pool.connect();
    try {
      await open.query('BEGIN');
      await open.query(`INSERT INTO streams (stream_id, revision) VALUES ('held-1', 0)`);
      await open.query(`INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata) VALUES ('held-1', 0, gen_random_uuid(), 'Held', '{"n":1}', '{}')`);
      await ctx.store.appendToStream('held-2', [makeEvent('Held', 2)]);
      const visible = await collect(ctx.store.readAll({ from: head }));
      expect(visible.filter((e) => e.type === 'Held')).toEqual([]);
      await open.query('COMMIT');
    } finally {
      open.release();
    }
    const after = await collect(ctx.store.readAll({ from: head }));
    expect(after.filter((e) => e.type === 'Held').map((e) => e.data.n)).toEqual([1, 2]);
  });

  it('reads a large log in pages, never in one query', async () => {
    const s = uniqueStream('paged');
    const start = (await ctx.store.headPosition()) ?? START;
    await ctx.store.appendToStream(s, Array.from({ length: 175 }, (_, n) => makeEvent('Paged', n)));
    // Readers see commits only below the cluster-wide xmin: a long transaction of
    // another database on the same server (a parallel test) holds them back a while.
    for (const deadline = Date.now() + 30_000; (await collect(ctx.store.readAll({ from: start }))).length < 175; ) {
      if (Date.now() > deadline) throw new Error('the appended events never became visible');
    }
    const spy = jest.spyOn(ctx.pool, 'query');
    let count = 0;
    let previous: RecordedEvent | null = null;
    for await (const e of ctx.store.readAll({ from: start })) {
      if (previous) expect(comparePositions(previous.position, e.position)).toBeLessThan(0);
      previous = e;
      count++;
    }
    expect(count).toBe(175);
    const pages = spy.mock.calls.filter(([sql]) => String(sql).includes('ORDER BY transaction_id, global_position LIMIT'));
    expect(pages.map(() => 'page')).toHaveLength(4); // 50 + 50 + 50 + 25
    spy.mockRestore();
  });

  it('refuses a malformed append and writes nothing', async () => {
    const s = uniqueStream();
    await expect(ctx.store.appendToStream(s, [{ id: 'not-a-uuid', type: 'T', data: {}, metadata: {} }])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    await expect(ctx.store.appendToStream(s, [{ type: 'T', data: [] as never, metadata: {} }])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(await ctx.store.streamRevision(s)).toBeNull();
  });

  it('refuses an event id that is already in the log', async () => {
    const e = makeEvent('Once', 1);
    await ctx.store.appendToStream(uniqueStream(), [e]);
    const s = uniqueStream();
    await expect(ctx.store.appendToStream(s, [e])).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
    expect(await ctx.store.streamRevision(s)).toBeNull();
  });
});
