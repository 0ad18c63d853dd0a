import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createMigratedDatabase } from '../../../../test/support/test-database';
import { collect, describeEventStoreContract, makeEvent, uniqueStream } from '../testing/event-store.contract';
import { AppendBatcher, type AppendBatcherOptions } from './append-batcher';
import { PostgresEventStore } from './postgres-event-store';

async function open(options: AppendBatcherOptions = {}) {
  const db = await createMigratedDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined);
  const inner = new PostgresEventStore(pool, { pollIntervalMs: 20 });
  const store = new AppendBatcher(pool, inner, options);
  return {
    db,
    pool,
    inner,
    store,
    /** Another batcher on the same database: its groups are separate transactions. */
    another: (more: AppendBatcherOptions = {}) => new AppendBatcher(pool, inner, { ...options, ...more }),
    close: async () => {
      await store.drain();
      await inner.close();
      await pool.end();
      await db.drop();
    },
  };
}

// Group commit keeps the port's contract (duplicates refused, all-or-nothing batches, revision checks).
describeEventStoreContract('postgres behind the AppendBatcher', () => open());

describe('AppendBatcher', () => {
  let ctx: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    ctx = await open({ duplicates: 'skip' });
  });
  afterAll(() => ctx.close());

  const countIn = async (streamIds: string[]) =>
    Number((await ctx.pool.query('SELECT count(*) AS n FROM events WHERE stream_id = ANY($1)', [streamIds])).rows[0].n);

  it('commits concurrent appends in few transactions, each stream with gap-free revisions', async () => {
    const streams = Array.from({ length: 20 }, () => uniqueStream('batch'));
    const before = ctx.store.stats.groups;
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => ctx.store.appendToStream(streams[i % 20], [makeEvent('Batched', i), makeEvent('Batched', i)])));
    expect(ctx.store.stats.groups - before).toBeLessThan(100);
    expect(await countIn(streams)).toBe(800);
    for (const s of streams) {
      const { rows } = await ctx.pool.query('SELECT stream_revision FROM events WHERE stream_id = $1 ORDER BY transaction_id, global_position', [s]);
      expect(rows.map((r) => Number(r.stream_revision))).toEqual(Array.from({ length: 40 }, (_, k) => k));
    }
    // Each caller got its own revision and position.
    const revisions = new Set(results.map((r, i) => `${streams[i % 20]}/${r.nextExpectedRevision}`));
    expect(revisions.size).toBe(400);
  });

  it('checks exact expected revisions inside a group: one writer of a revision wins, the others of the group are not affected', async () => {
    const contested = uniqueStream('contested');
    await ctx.store.appendToStream(contested, [makeEvent('Seed', 0)], { expectedRevision: 'no_stream' });
    const free = uniqueStream('free');
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => ctx.store.appendToStream(contested, [makeEvent('Contested', i)], { expectedRevision: 0n })),
      ...Array.from({ length: 10 }, (_, i) => ctx.store.appendToStream(free, [makeEvent('Free', i)])),
    ]);
    const contestedOutcomes = outcomes.slice(0, 10);
    expect(contestedOutcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of contestedOutcomes.filter((o) => o.status === 'rejected')) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(outcomes.slice(10).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(await countIn([contested])).toBe(2);
    expect(await countIn([free])).toBe(10);
    // no_stream and stream_exists, in the same group as the rest.
    const fresh = uniqueStream('fresh');
    const [a, b, c] = await Promise.allSettled([
      ctx.store.appendToStream(fresh, [makeEvent('First', 0)], { expectedRevision: 'no_stream' }),
      ctx.store.appendToStream(fresh, [makeEvent('First', 1)], { expectedRevision: 'no_stream' }),
      ctx.store.appendToStream(uniqueStream('missing'), [makeEvent('Nope', 0)], { expectedRevision: 'stream_exists' }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect(c).toMatchObject({ status: 'rejected', reason: { code: 'CONCURRENCY_CONFLICT' } });
  });

  it('a retried submission is skipped as a whole, an overlapping one adds only its new events, and the caller is told which were duplicates', async () => {
    const s = uniqueStream('activity');
    const events = Array.from({ length: 5 }, (_, i) => makeEvent('Seen', i));
    const first = await ctx.store.appendToStream(s, events);
    expect(first.duplicates).toEqual([]);
    const again = await ctx.store.appendToStream(s, events);
    expect(again.duplicates).toEqual(events.map((e) => e.id));
    expect(again.position).toEqual(first.position);
    const more = [makeEvent('Seen', 5), makeEvent('Seen', 6)];
    const overlap = await ctx.store.appendToStream(s, [...events.slice(3), ...more]);
    expect(overlap.duplicates).toEqual(events.slice(3).map((e) => e.id));
    expect(overlap.nextExpectedRevision).toBe(6n);
    const stored = await collect(ctx.store.readStream(s));
    expect(stored.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it('the same event id sent twice at once is stored once, whether in one group or in two transactions', async () => {
    const s = uniqueStream('twice');
    const e = makeEvent('Once', 1);
    const inOneGroup = await Promise.all([ctx.store.appendToStream(s, [e]), ctx.store.appendToStream(s, [e])]);
    expect(inOneGroup.map((r) => r.duplicates.length).sort()).toEqual([0, 1]);
    const other = ctx.another({ duplicates: 'skip' });
    const s2 = uniqueStream('twice');
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const racing = await Promise.all(
      ids.flatMap((id, i) => [ctx.store.appendToStream(s2, [{ id, type: 'Raced', data: { i }, metadata: {} }]), other.appendToStream(s2, [{ id, type: 'Raced', data: { i }, metadata: {} }])]),
    );
    expect(racing.reduce((n, r) => n + r.duplicates.length, 0)).toBe(30);
    expect(await countIn([s, s2])).toBe(31);
    const { rows } = await ctx.pool.query('SELECT stream_revision FROM events WHERE stream_id = $1 ORDER BY stream_revision', [s2]);
    expect(rows.map((r) => Number(r.stream_revision))).toEqual(Array.from({ length: 30 }, (_, k) => k));
  });

  it('writes a group of plain appends in one statement, and a group of an inline read model\'s types in a transaction that hands it the events', async () => {
    const handled: string[][] = [];
    const inline = async (client: pg.PoolClient, appended: { type: string }[]) => {
      // Inside the append's transaction: the events are there, uncommitted.
      const { rows } = await client.query<{ open: boolean }>('SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS open');
      expect(rows[0].open).toBe(true);
      handled.push(appended.map((e) => e.type));
    };
    ctx.inner.inTransaction = Object.assign((client: pg.PoolClient, appended: { type: string }[]) => inline(client, appended), { types: new Set(['Inline']) });
    try {
      const plain = uniqueStream('plain');
      const before = ctx.store.stats.oneStatementGroups;
      await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.store.appendToStream(plain, [makeEvent('Plain', i)])));
      expect(ctx.store.stats.oneStatementGroups).toBeGreaterThan(before);
      expect(handled).toEqual([]);
      const oneStatement = ctx.store.stats.oneStatementGroups;
      const mixed = uniqueStream('mixed');
      await ctx.store.appendToStream(mixed, [makeEvent('Plain', 0), makeEvent('Inline', 1)]);
      expect(handled).toEqual([['Plain', 'Inline']]);
      expect(ctx.store.stats.oneStatementGroups).toBe(oneStatement);
      // A handler that does not say its types is called for every append.
      ctx.inner.inTransaction = inline;
      await ctx.store.appendToStream(plain, [makeEvent('Plain', 10)]);
      expect(handled).toEqual([['Plain', 'Inline'], ['Plain']]);
      expect(ctx.store.stats.oneStatementGroups).toBe(oneStatement);
      expect((await collect(ctx.store.readStream(plain))).map((e) => [e.revision, e.data.n])).toEqual(Array.from({ length: 11 }, (_, k) => [BigInt(k), expect.any(Number)]));
    } finally {
      ctx.inner.inTransaction = null;
    }
  });

  it('stores the metadata of one-statement groups as given, request values shared between events or not', async () => {
    const ip = { $pd: 1, s: randomUUID(), k: randomUUID(), iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' };
    const agent = { $pd: 1, s: ip.s, k: ip.k, iv: 'aXYy', ct: 'Y3Qy', tag: 'dGFnMg==' };
    const other = { ...ip, ct: 'b3RoZXI=' };
    const metadataOf = [
      { schemaVersion: 1, ip, userAgent: agent, object: { type: 'course', id: randomUUID() } },
      { schemaVersion: 1, ip, userAgent: agent, object: null },
      { schemaVersion: 1, ip: other, userAgent: agent },
      { schemaVersion: 1, ip: null, userAgent: agent },
      { schemaVersion: 2, ip: 'clear text is kept as it is', userAgent: null },
      { schemaVersion: 1 },
    ];
    const streams = [uniqueStream('shared'), uniqueStream('shared')];
    const before = ctx.store.stats.oneStatementGroups;
    const sent = metadataOf.map((metadata, i) => ({ ...makeEvent('Shared', i), metadata }));
    const results = await Promise.all([
      ctx.store.appendToStream(streams[0], sent.slice(0, 4)),
      ctx.store.appendToStream(streams[1], sent.slice(4)),
      ctx.store.appendToStream(streams[0], [{ ...makeEvent('Shared', 6), metadata: metadataOf[0] }]),
    ]);
    expect(ctx.store.stats.oneStatementGroups).toBeGreaterThan(before);
    const stored = [...(await collect(ctx.store.readStream(streams[0]))), ...(await collect(ctx.store.readStream(streams[1])))];
    const byId = new Map(stored.map((e) => [e.id, e]));
    for (const e of sent) expect(byId.get(e.id!)?.metadata).toEqual(e.metadata);
    // Each request is answered with its own last event's revision and position.
    const [first, second, third] = results;
    expect([first.nextExpectedRevision, second.nextExpectedRevision]).toEqual([3n, 1n]);
    expect(third.nextExpectedRevision === 0n || third.nextExpectedRevision === 4n).toBe(true);
    for (const [result, stream] of [[first, streams[0]], [second, streams[1]], [third, streams[0]]] as const) {
      const last = stored.find((e) => e.streamId === stream && e.revision === result.nextExpectedRevision)!;
      expect(result.position).toEqual(last.position);
    }
  });

  it('an id already used in another stream fails its own submission only', async () => {
    const taken = makeEvent('Taken', 0);
    await ctx.store.appendToStream(uniqueStream('owner'), [taken]);
    const innocent = uniqueStream('innocent');
    const [stolen, fine] = await Promise.allSettled([ctx.store.appendToStream(uniqueStream('thief'), [makeEvent('Mine', 1), taken]), ctx.store.appendToStream(innocent, [makeEvent('Fine', 2)])]);
    expect(stolen).toMatchObject({ status: 'rejected', reason: { code: 'DUPLICATE_EVENT_ID' } });
    expect(fine.status).toBe('fulfilled');
    expect(await countIn([innocent])).toBe(1);
  });

  it('refuses at once when its queue is full, and takes work again once it has drained', async () => {
    const small = ctx.another({ queueMaxEvents: 5, lingerMs: 300, retryAfterSeconds: 2 });
    const s = uniqueStream('small');
    const accepted = Array.from({ length: 5 }, (_, i) => small.appendToStream(s, [makeEvent('Queued', i)]));
    const started = Date.now();
    await expect(small.appendToStream(s, [makeEvent('Refused', 5)])).rejects.toMatchObject({ code: 'OVERLOADED', retryAfterSeconds: 2 });
    expect(Date.now() - started).toBeLessThan(100);
    await Promise.all(accepted);
    await expect(small.appendToStream(s, [makeEvent('Later', 6)])).resolves.toMatchObject({ nextExpectedRevision: 5n });
    expect(small.stats.refused).toBe(1);
  });

  it('drains what it accepted before shutting down, and refuses new work while draining', async () => {
    const slow = ctx.another({ lingerMs: 200 });
    const s = uniqueStream('drain');
    const accepted = Array.from({ length: 10 }, (_, i) => slow.appendToStream(s, [makeEvent('Accepted', i)]));
    const drained = slow.drain();
    await expect(slow.appendToStream(s, [makeEvent('Late', 99)])).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await drained;
    expect(await countIn([s])).toBe(10);
    await Promise.all(accepted);
  });
});
