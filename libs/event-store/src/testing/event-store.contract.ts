/**
 * The contract every EventStore adapter passes. Each adapter's spec calls
 * `describeEventStoreContract` with a factory that gives a fresh, empty store
 * (or, for a shared server, one whose stream names cannot collide: every test
 * here uses `uniqueStream()` and only reads $all after its own first event).
 */
import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type EventToAppend, type RecordedEvent } from '../event-store';

export interface ContractStore {
  store: EventStore;
  close(): Promise<void>;
}

export function uniqueStream(category = 'contract'): string {
  return `${category}-${randomUUID()}`;
}

export function makeEvent(type: string, n: number, extra: Record<string, unknown> = {}): EventToAppend {
  return { id: randomUUID(), type, data: { n, ...extra }, metadata: { schemaVersion: 1 } };
}

export async function collect<T>(it: AsyncIterable<T>, max = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  for await (const item of it) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}

export function dataN(events: RecordedEvent[]): unknown[] {
  return events.map((e) => e.data.n);
}

export function describeEventStoreContract(name: string, open: () => Promise<ContractStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let ctx: ContractStore;
    beforeAll(async () => {
      ctx = await open();
    });
    afterAll(async () => {
      await ctx?.close();
    });
    contractTests(() => ctx.store);
  });
}

/** Reads `n` events from a subscription, failing (not hanging) when they do not come. */
export async function take(sub: AsyncIterable<RecordedEvent>, n: number, timeoutMs = 10000): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  if (n === 0) return out;
  const iterator = sub[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription delivered ${out.length} of ${n} events in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    while (out.length < n) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`subscription ended after ${out.length} of ${n} events`);
      out.push(next.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

function contractTests(store: () => EventStore): void {
  it('appends events to a new stream and reads them back in order', async () => {
    const s = uniqueStream();
    const result = await store().appendToStream(s, [makeEvent('Tested', 1), makeEvent('Tested', 2)], { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(1n);
    const events = await collect(store().readStream(s));
    expect(dataN(events)).toEqual([1, 2]);
    expect(events.map((e) => e.revision)).toEqual([0n, 1n]);
    expect(events.every((e) => e.streamId === s && e.type === 'Tested')).toBe(true);
    expect(events[0].metadata).toEqual({ schemaVersion: 1 });
    expect(events[0].recordedAt).toBeInstanceOf(Date);
    expect(await store().streamRevision(s)).toBe(1n);
  });

  it('keeps the event id it was given', async () => {
    const s = uniqueStream();
    const event = makeEvent('Tested', 1);
    await store().appendToStream(s, [event]);
    const [read] = await collect(store().readStream(s));
    expect(read.id).toBe(event.id);
  });

  it('checks the expected revision: exact, no_stream, stream_exists and any', async () => {
    const s = uniqueStream();
    await expect(store().appendToStream(s, [makeEvent('Tested', 0)], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
      actual: null,
    });
    await store().appendToStream(s, [makeEvent('Tested', 1)], { expectedRevision: 'no_stream' });
    await expect(store().appendToStream(s, [makeEvent('Tested', 2)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
      actual: 0n,
    });
    const r = await store().appendToStream(s, [makeEvent('Tested', 2)], { expectedRevision: 0n });
    expect(r.nextExpectedRevision).toBe(1n);
    // A stale revision is refused and nothing is written.
    await expect(store().appendToStream(s, [makeEvent('Tested', 99)], { expectedRevision: 0n })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
      streamId: s,
      actual: 1n,
    });
    await store().appendToStream(s, [makeEvent('Tested', 3)], { expectedRevision: 'stream_exists' });
    await store().appendToStream(s, [makeEvent('Tested', 4)], { expectedRevision: 'any' });
    expect(dataN(await collect(store().readStream(s)))).toEqual([1, 2, 3, 4]);
  });

  it('lets exactly one of two writers holding the same revision win', async () => {
    const s = uniqueStream();
    await store().appendToStream(s, [makeEvent('Tested', 0)]);
    const outcomes = await Promise.allSettled([
      store().appendToStream(s, [makeEvent('Tested', 1)], { expectedRevision: 0n }),
      store().appendToStream(s, [makeEvent('Tested', 2)], { expectedRevision: 0n }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await collect(store().readStream(s))).toHaveLength(2);
  });

  it('reads a stream backwards, from a revision, and with a maximum count', async () => {
    const s = uniqueStream();
    await store().appendToStream(s, [1, 2, 3, 4, 5].map((n) => makeEvent('Tested', n)));
    expect(dataN(await collect(store().readStream(s, { direction: 'backwards' })))).toEqual([5, 4, 3, 2, 1]);
    expect(dataN(await collect(store().readStream(s, { fromRevision: 2n })))).toEqual([3, 4, 5]);
    expect(dataN(await collect(store().readStream(s, { fromRevision: 2n, maxCount: 2 })))).toEqual([3, 4]);
    expect(dataN(await collect(store().readStream(s, { direction: 'backwards', fromRevision: 2n, maxCount: 2 })))).toEqual([3, 2]);
    expect(dataN(await collect(store().readStream(s, { direction: 'backwards', maxCount: 1 })))).toEqual([5]);
  });

  it('reads nothing from a stream that does not exist', async () => {
    expect(await collect(store().readStream(uniqueStream()))).toEqual([]);
    expect(await store().streamRevision(uniqueStream())).toBeNull();
  });

  it('appends a batch to several streams atomically: all or nothing', async () => {
    const a = uniqueStream();
    const b = uniqueStream();
    await store().appendToStream(b, [makeEvent('Tested', 0)]);
    await expect(
      store().appendBatch([
        { streamId: a, events: [makeEvent('Tested', 1)], expectedRevision: 'no_stream' },
        { streamId: b, events: [makeEvent('Tested', 2)], expectedRevision: 'no_stream' },
      ]),
    ).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await collect(store().readStream(a))).toEqual([]);
    expect(dataN(await collect(store().readStream(b)))).toEqual([0]);

    const results = await store().appendBatch([
      { streamId: a, events: [makeEvent('Tested', 1), makeEvent('Tested', 2)], expectedRevision: 'no_stream' },
      { streamId: b, events: [makeEvent('Tested', 3)], expectedRevision: 0n },
    ]);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 1n]);
    expect(dataN(await collect(store().readStream(a)))).toEqual([1, 2]);
    expect(dataN(await collect(store().readStream(b)))).toEqual([0, 3]);
  });

  it('appends a batch over many streams with every kind of expected revision, and refuses it whole when one fails', async () => {
    const [fresh, any, exists, exact, anyNew] = Array.from({ length: 5 }, () => uniqueStream());
    for (const s of [any, exists, exact]) await store().appendToStream(s, [makeEvent('Tested', 0), makeEvent('Tested', 1)]);
    const batch = (exactAt: bigint) => [
      { streamId: fresh, events: [makeEvent('Tested', 10)], expectedRevision: 'no_stream' as const },
      { streamId: any, events: [makeEvent('Tested', 20), makeEvent('Tested', 21)], expectedRevision: 'any' as const },
      { streamId: exists, events: [makeEvent('Tested', 30)], expectedRevision: 'stream_exists' as const },
      { streamId: exact, events: [makeEvent('Tested', 40)], expectedRevision: exactAt },
      { streamId: anyNew, events: [makeEvent('Tested', 50)], expectedRevision: 'any' as const },
    ];
    await expect(store().appendBatch(batch(0n))).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    for (const s of [fresh, anyNew]) expect(await collect(store().readStream(s))).toEqual([]);
    expect(dataN(await collect(store().readStream(any)))).toEqual([0, 1]);

    const results = await store().appendBatch(batch(1n));
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([0n, 3n, 2n, 2n, 0n]);
    expect(dataN(await collect(store().readStream(any)))).toEqual([0, 1, 20, 21]);
    expect(dataN(await collect(store().readStream(exact)))).toEqual([0, 1, 40]);
    const all = await collect(store().readAll({ direction: 'backwards', maxCount: 6 }));
    const written = [fresh, any, exists, exact, anyNew];
    // In the order of the batch, and each result's position is its stream's last event.
    expect(all.filter((e) => written.includes(e.streamId)).reverse().map((e) => e.data.n)).toEqual([10, 20, 21, 30, 40, 50]);
    for (const [i, s] of written.entries()) expect(results[i].position).toEqual(all.find((e) => e.streamId === s)!.position);
  });

  it('reads all events after a position, in the order they were appended, and backwards', async () => {
    const s = uniqueStream();
    const first = await store().appendToStream(s, [makeEvent('Tested', 1)]);
    await store().appendToStream(s, [makeEvent('Tested', 2), makeEvent('Tested', 3)]);
    await store().appendToStream(uniqueStream(), [makeEvent('Other', 0)]);
    await store().appendToStream(s, [makeEvent('Tested', 4)]);
    const mine = (events: RecordedEvent[]) => events.filter((e) => e.streamId === s);

    const after = await collect(store().readAll({ from: first.position }));
    expect(dataN(mine(after))).toEqual([2, 3, 4]);
    for (let i = 1; i < after.length; i++) expect(comparePositions(after[i - 1].position, after[i].position)).toBeLessThan(0);

    const paged = await collect(store().readAll({ from: first.position, pageSize: 1 }));
    expect(paged.map((e) => e.id)).toEqual(after.map((e) => e.id));

    const last = after[after.length - 1].position;
    const before = await collect(store().readAll({ direction: 'backwards', from: last, maxCount: 50 }));
    expect(dataN(mine(before)).slice(0, 3)).toEqual([3, 2, 1]);
    expect(await collect(store().readAll({ from: first.position, maxCount: 2 }))).toHaveLength(2);
  });

  it('subscribes to all from a checkpoint: catches up, then delivers events appended while it runs', async () => {
    const category = `sub${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const s = uniqueStream(category);
    const first = await store().appendToStream(s, [makeEvent('Tested', 1)]);
    await store().appendToStream(s, [makeEvent('Tested', 2), makeEvent('Tested', 3)]);
    const sub = store().subscribeToAll({ from: first.position, filter: { streamPrefixes: [`${category}-`] } });
    try {
      expect(dataN(await take(sub, 2))).toEqual([2, 3]);
      await store().appendToStream(uniqueStream(category), [makeEvent('Tested', 4)]);
      await store().appendToStream(uniqueStream(), [makeEvent('Tested', 999)]);
      await store().appendToStream(s, [makeEvent('Tested', 5)]);
      const live = await take(sub, 2);
      expect(dataN(live)).toEqual([4, 5]);
      expect(comparePositions(live[0].position, live[1].position)).toBeLessThan(0);
    } finally {
      await sub.close();
    }
  });

  it('filters a subscription by event type', async () => {
    const category = `flt${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const s = uniqueStream(category);
    const type = `Wanted${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const start = await store().appendToStream(s, [makeEvent('Unwanted', 0)]);
    await store().appendToStream(s, [makeEvent('Unwanted', 1), makeEvent(type, 2), makeEvent('Unwanted', 3), makeEvent(type, 4)]);
    const sub = store().subscribeToAll({ from: start.position, filter: { eventTypes: [type] } });
    try {
      expect(dataN(await take(sub, 2))).toEqual([2, 4]);
    } finally {
      await sub.close();
    }
  });

  it('ends a subscription when it is closed', async () => {
    const sub = store().subscribeToAll({ filter: { streamPrefixes: [`closed${randomUUID()}`] } });
    const iterator = sub[Symbol.asyncIterator]();
    const next = iterator.next();
    await sub.close();
    await expect(next).resolves.toMatchObject({ done: true });
  });

  it('stores stream metadata, and truncateBefore and maxCount hide older events of the stream', async () => {
    const s = uniqueStream();
    expect(await store().getStreamMetadata(s)).toBeNull();
    await store().setStreamMetadata(s, { custom: { owner: 'abc' } });
    // Metadata on a stream without events does not make it exist.
    await store().appendToStream(s, [1, 2, 3, 4, 5].map((n) => makeEvent('Tested', n)), { expectedRevision: 'no_stream' });
    expect(await store().getStreamMetadata(s)).toMatchObject({ custom: { owner: 'abc' } });
    await store().setStreamMetadata(s, { truncateBefore: 2n, custom: { owner: 'abc' } });
    expect(await store().getStreamMetadata(s)).toEqual({ truncateBefore: 2n, custom: { owner: 'abc' } });
    expect(dataN(await collect(store().readStream(s)))).toEqual([3, 4, 5]);
    await store().setStreamMetadata(s, { maxCount: 2 });
    expect(dataN(await collect(store().readStream(s)))).toEqual([4, 5]);
    expect(dataN(await collect(store().readStream(s, { direction: 'backwards' })))).toEqual([5, 4]);
  });

  it('reports the head position and counts events after a position, up to a limit', async () => {
    const s = uniqueStream();
    const first = await store().appendToStream(s, [makeEvent('Tested', 1)]);
    const last = await store().appendToStream(s, [makeEvent('Tested', 2), makeEvent('Tested', 3)]);
    const head = await store().headPosition();
    expect(head).not.toBeNull();
    expect(comparePositions(head!, last.position)).toBeGreaterThanOrEqual(0);
    expect(await store().countAfter(first.position, 1000)).toBeGreaterThanOrEqual(2);
    expect(await store().countAfter(first.position, 1)).toBe(1);
    await expect(store().ping()).resolves.toBeUndefined();
  });
}
