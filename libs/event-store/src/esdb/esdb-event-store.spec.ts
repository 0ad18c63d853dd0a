/**
 * Unit tests of the EventStoreDB adapter, without a server: a fake client behaves
 * like the real one where it matters (it reads `options.streamState`, defaults to
 * ANY like the client does, and throws the client's own error classes, built the
 * way the client builds them). The server-backed run is esdb.contract.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnsupportedError,
  WrongExpectedVersionError,
  type AppendStreamRequest,
  type AppendStreamState,
  type EventData,
} from '@kurrent/kurrentdb-client';
// The client's own conversion of stream metadata to and from the wire ($maxAge, $tb, ...).
import { prepareStreamMetadata, readStreamMetadata } from '@kurrent/kurrentdb-client/dist/streams/utils/streamMetadata.js';
import { EventStoreError, WrongExpectedRevisionError } from '../errors';
import { START, type Position, type RecordedEvent } from '../event-store';
import { EsdbEventStore, type EsdbClient } from './esdb-event-store';

interface Stored {
  streamId: string;
  id: string;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  position: Position;
  created: Date;
}

type Options = Record<string, unknown>;

/** A stand-in for KurrentDBClient, holding one in-memory log. */
class FakeClient {
  readonly appendCalls: { streamName: string; events: EventData[]; options: Options }[] = [];
  readonly readAllCalls: Options[] = [];
  readonly subscribeCalls: Options[] = [];
  readonly log: Stored[] = [];
  readonly metastreams = new Map<string, Record<string, unknown>>();
  readonly subscriptions: (PassThrough & { unsubscribed: boolean })[] = [];
  multiStreamAppendSupported = true;
  private nextPosition = 100n;

  revisionOf(streamName: string): bigint | undefined {
    const last = this.log.filter((e) => e.streamId === streamName).at(-1);
    return last?.revision;
  }

  private check(streamName: string, state: AppendStreamState): void {
    const current = this.revisionOf(streamName);
    const ok =
      state === ANY ||
      (state === NO_STREAM && current === undefined) ||
      (state === STREAM_EXISTS && current !== undefined) ||
      (typeof state === 'bigint' && state === current);
    if (!ok) {
      // As the client's append.js builds it from the server's answer.
      throw new WrongExpectedVersionError(undefined, { streamName, expected: state, current: current ?? NO_STREAM });
    }
  }

  private write(streamName: string, events: EventData[], asStoredMetadata: (m: unknown) => unknown = (m) => m): bigint {
    let revision = this.revisionOf(streamName) ?? -1n;
    for (const e of events) {
      revision++;
      const p = (this.nextPosition += 10n);
      this.log.push({
        streamId: streamName,
        id: e.id,
        type: e.type,
        isJson: e.contentType === 'application/json',
        data: e.data,
        metadata: asStoredMetadata(e.metadata),
        revision,
        position: { commit: p, prepare: p },
        created: new Date(),
      });
    }
    return revision;
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: Options = {}) {
    const list = Array.isArray(events) ? events : [events];
    this.appendCalls.push({ streamName, events: list, options });
    // The real client destructures `{ streamState = ANY }`: any other option name is ignored.
    this.check(streamName, (options.streamState as AppendStreamState | undefined) ?? ANY);
    const revision = this.write(streamName, list);
    return { success: true, nextExpectedRevision: revision, position: this.log.at(-1)!.position };
  }

  async multiStreamAppend(requests: AppendStreamRequest[]) {
    if (!this.multiStreamAppendSupported) throw new UnsupportedError('multiStreamAppend', '25.1');
    for (const r of requests) {
      for (const e of r.events) {
        if (e.metadata && Object.values(e.metadata).some((v) => typeof v !== 'string')) {
          throw new Error('multiStreamAppend requires metadata to be a plain object with string keys and string values.');
        }
      }
      const current = this.revisionOf(r.streamName);
      const s = r.expectedState;
      const ok = s === ANY || (s === NO_STREAM && current === undefined) || (s === STREAM_EXISTS && current !== undefined) || s === current;
      if (!ok) {
        // As the client's convertToCommandError builds it from StreamRevisionConflictErrorDetails.
        throw WrongExpectedVersionError.fromRevisionConflict({
          stream: r.streamName,
          expectedRevision: typeof s === 'bigint' ? s.toString() : { any: '-2', no_stream: '-1', stream_exists: '-4' }[s],
          actualRevision: (current ?? -1n).toString(),
        });
      }
    }
    // Properties come back on v1 reads as JSON with the server's `$schema.*` keys added.
    const responses = requests.map((r) => ({
      streamName: r.streamName,
      revision: this.write(r.streamName, r.events, (m) => ({ ...(m as object), '$schema.data-format': 'Json', '$schema.name': 'x' })),
    }));
    return { position: this.log.at(-1)!.position.commit, responses };
  }

  readStream(streamName: string, options: Options = {}) {
    const log = this.log;
    return (async function* () {
      const events = log.filter((e) => e.streamId === streamName);
      if (events.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision;
      let list = backwards ? [...events].reverse() : events;
      if (typeof from === 'bigint') list = list.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
      for (const e of list.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: e };
    })();
  }

  /** Like the server: `fromPosition` inclusive, in both directions. */
  readAll(options: Options = {}) {
    this.readAllCalls.push(options);
    const log = this.log;
    return (async function* () {
      const backwards = options.direction === 'backwards';
      const from = options.fromPosition as Position | 'start' | 'end' | undefined;
      let list = backwards ? [...log].reverse() : [...log];
      if (typeof from === 'object') list = list.filter((e) => (backwards ? e.position.commit <= from.commit : e.position.commit >= from.commit));
      for (const e of list.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: e, commitPosition: e.position.commit };
    })();
  }

  subscribeToAll(options: Options = {}) {
    this.subscribeCalls.push(options);
    const stream = Object.assign(new PassThrough({ objectMode: true }), {
      unsubscribed: false,
      async unsubscribe() {
        stream.unsubscribed = true;
      },
    });
    this.subscriptions.push(stream);
    return stream;
  }

  async getStreamMetadata(streamName: string) {
    const wire = this.metastreams.get(streamName);
    return wire ? { streamName, metadata: readStreamMetadata(wire) } : { streamName };
  }

  async setStreamMetadata(streamName: string, metadata: Record<string, unknown>) {
    this.metastreams.set(streamName, prepareStreamMetadata(metadata));
    return { success: true, nextExpectedRevision: 0n };
  }

  async dispose() {}
}

function setup(options: { pageSize?: number } = {}) {
  const client = new FakeClient();
  const store = new EsdbEventStore(client as unknown as EsdbClient, options);
  return { client, store };
}

const ev = (type: string, n: number, metadata: Record<string, unknown> = { schemaVersion: 1 }) => ({
  type,
  data: { n },
  metadata,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('EsdbEventStore: optimistic concurrency through the client', () => {
  it('refuses a stale revision with WrongExpectedRevisionError (CONCURRENCY_CONFLICT)', async () => {
    const { store } = setup();
    await store.appendToStream('course-1', [ev('A', 1), ev('B', 2)], { expectedRevision: 'no_stream' });

    const error = await rejection(store.appendToStream('course-1', [ev('C', 3)], { expectedRevision: 0n }));

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: 'course-1', expected: '0', actual: 1n });
  });

  it("refuses 'no_stream' when the stream exists", async () => {
    const { store, client } = setup();
    await store.appendToStream('course-1', [ev('A', 1)]);

    const error = await rejection(store.appendToStream('course-1', [ev('B', 2)], { expectedRevision: 'no_stream' }));

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expected: 'no_stream', actual: 0n });
    expect(client.revisionOf('course-1')).toBe(0n); // nothing was written
  });

  it("refuses 'stream_exists' on a missing stream, reporting no actual revision", async () => {
    const { store } = setup();
    const error = await rejection(store.appendToStream('course-9', [ev('A', 1)], { expectedRevision: 'stream_exists' }));
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expected: 'stream_exists', actual: null });
  });

  it('passes the expectation as `streamState`, never as `expectedRevision`', async () => {
    const { store, client } = setup();
    await store.appendToStream('s', [ev('A', 1)], { expectedRevision: 'no_stream' });
    await store.appendToStream('s', [ev('A', 2)], { expectedRevision: 0n });
    await store.appendToStream('s', [ev('A', 3)], { expectedRevision: 'stream_exists' });
    await store.appendToStream('s', [ev('A', 4)], { expectedRevision: 'any' });
    await store.appendToStream('s', [ev('A', 5)]);

    expect(client.appendCalls.map((c) => c.options)).toEqual([
      { streamState: NO_STREAM },
      { streamState: 0n },
      { streamState: STREAM_EXISTS },
      { streamState: ANY },
      { streamState: ANY },
    ]);
    for (const call of client.appendCalls) expect(call.options).not.toHaveProperty('expectedRevision');
  });

  it('appends at the right revision and returns the next revision and position', async () => {
    const { store } = setup();
    const first = await store.appendToStream('s', [ev('A', 1), ev('B', 2)], { expectedRevision: 'no_stream' });
    const second = await store.appendToStream('s', [ev('C', 3)], { expectedRevision: first.nextExpectedRevision });

    expect(first.nextExpectedRevision).toBe(1n);
    expect(second.nextExpectedRevision).toBe(2n);
    expect(second.position.commit > first.position.commit).toBe(true);
    expect((await collect(store.readStream('s'))).map((e) => e.data.n)).toEqual([1, 2, 3]);
  });

  it('sends JSON events, keeping a given id and generating a UUID otherwise', async () => {
    const { store, client } = setup();
    const id = randomUUID();
    await store.appendToStream('s', [{ id, ...ev('A', 1) }, ev('B', 2, { correlationId: 'c-1' })]);

    const [a, b] = client.appendCalls[0].events;
    expect(a).toMatchObject({ id, type: 'A', contentType: 'application/json', data: { n: 1 }, metadata: { schemaVersion: 1 } });
    expect(b.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(b).toMatchObject({ type: 'B', contentType: 'application/json', metadata: { correlationId: 'c-1' } });
  });

  it('treats an append of no events as a check that writes nothing', async () => {
    const { store, client } = setup();
    expect(await store.appendToStream('s', [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1n, position: START });
    await store.appendToStream('s', [ev('A', 1)]);
    await expect(store.appendToStream('s', [], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 0n });
    expect(client.appendCalls).toHaveLength(1);
  });
});

describe('EsdbEventStore: appendBatch over multiStreamAppend', () => {
  it('appends to several streams and reads the original metadata back', async () => {
    const { store, client } = setup();
    await store.appendToStream('b', [ev('X', 0)]);
    const metadata = { schemaVersion: 2, actorId: 'u-1', object: { type: 'course', id: 'c-1' }, realActorId: null };

    const results = await store.appendBatch([
      { streamId: 'a', events: [ev('A', 1, metadata), ev('A', 2, metadata)], expectedRevision: 'no_stream' },
      { streamId: 'b', events: [ev('B', 3, metadata)], expectedRevision: 0n },
    ]);

    expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 1n]);
    // Each stream's position is that of its own last event, read back after the append.
    expect(results[0].position).toEqual(client.log.find((e) => e.streamId === 'a' && e.revision === 1n)!.position);
    expect(results[1].position).toEqual(client.log.find((e) => e.streamId === 'b' && e.revision === 1n)!.position);
    const [a1] = await collect(store.readStream('a'));
    expect(a1.metadata).toEqual(metadata);
  });

  it('maps a revision conflict to WrongExpectedRevisionError and writes nothing', async () => {
    const { store, client } = setup();
    const error = await rejection(
      store.appendBatch([
        { streamId: 'a', events: [ev('A', 1)], expectedRevision: 'no_stream' },
        { streamId: 'b', events: [ev('B', 2)], expectedRevision: 3n },
      ]),
    );
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: 'b', expected: '3', actual: null });
    expect(client.log).toHaveLength(0);
  });

  it('refuses what KurrentDB cannot do, with clear errors', async () => {
    const { store, client } = setup();
    const twice = store.appendBatch([
      { streamId: 'a', events: [ev('A', 1)], expectedRevision: 'any' },
      { streamId: 'a', events: [ev('A', 2)], expectedRevision: 'any' },
    ]);
    await expect(twice).rejects.toThrow(/appears twice/);
    client.multiStreamAppendSupported = false;
    const old = store.appendBatch([
      { streamId: 'a', events: [ev('A', 1)], expectedRevision: 'any' },
      { streamId: 'b', events: [ev('B', 2)], expectedRevision: 'any' },
    ]);
    await expect(old).rejects.toThrow(EventStoreError);
    await expect(old).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('EsdbEventStore: reads', () => {
  /** Seven records: five events of ours, one system event, one binary event. */
  async function seeded(pageSize?: number) {
    const ctx = setup({ pageSize });
    await ctx.store.appendToStream('s-1', [ev('A', 0), ev('A', 1)]);
    await ctx.client.appendToStream('$stats', [{ id: randomUUID(), contentType: 'application/json', type: '$statsCollected', data: {}, metadata: undefined }]);
    await ctx.store.appendToStream('s-2', [ev('B', 2)]);
    await ctx.client.appendToStream('bin', [{ id: randomUUID(), contentType: 'application/octet-stream', type: 'Binary', data: new Uint8Array([1]), metadata: undefined }]);
    await ctx.store.appendToStream('s-1', [ev('A', 3), ev('A', 4)]);
    const events = await collect(ctx.store.readAll());
    return { ...ctx, events };
  }

  const ns = (events: RecordedEvent[]) => events.map((e) => e.data.n);

  it('reads $all without system or non-JSON events', async () => {
    const { events } = await seeded();
    expect(ns(events)).toEqual([0, 1, 2, 3, 4]);
    expect(events[0]).toMatchObject({ streamId: 's-1', type: 'A', revision: 0n, metadata: { schemaVersion: 1 } });
    expect(events[0].recordedAt).toBeInstanceOf(Date);
  });

  it('treats `from` as exclusive although the client reads from it inclusively', async () => {
    const { store, client, events } = await seeded();
    client.readAllCalls.length = 0;

    expect(ns(await collect(store.readAll({ from: events[1].position })))).toEqual([2, 3, 4]);
    expect(client.readAllCalls[0].fromPosition).toEqual(events[1].position);
    expect(ns(await collect(store.readAll({ from: events[3].position, direction: 'backwards' })))).toEqual([2, 1, 0]);
    expect(ns(await collect(store.readAll({ from: events[4].position })))).toEqual([]);
    expect(ns(await collect(store.readAll({ from: START })))).toEqual([0, 1, 2, 3, 4]);
    expect(ns(await collect(store.readAll({ from: START, direction: 'backwards' })))).toEqual([]);
  });

  it('reads page by page, never asking for more than a page (plus the skipped boundary)', async () => {
    const { store, client } = await seeded(2);
    client.readAllCalls.length = 0;

    expect(ns(await collect(store.readAll()))).toEqual([0, 1, 2, 3, 4]);
    expect(ns(await collect(store.readAll({ direction: 'backwards', maxCount: 3 })))).toEqual([4, 3, 2]);
    expect(client.readAllCalls.length).toBeGreaterThan(3);
    for (const call of client.readAllCalls) expect(Number(call.maxCount)).toBeLessThanOrEqual(3);
  });

  it('reads a stream both ways from an inclusive revision, and nothing for a missing stream', async () => {
    const { store } = await seeded();
    expect(ns(await collect(store.readStream('s-1', { fromRevision: 1n })))).toEqual([1, 3, 4]);
    expect(ns(await collect(store.readStream('s-1', { direction: 'backwards', fromRevision: 2n, maxCount: 2 })))).toEqual([3, 1]);
    expect(await collect(store.readStream('nope'))).toEqual([]);
    expect(await store.streamRevision('s-1')).toBe(3n);
    expect(await store.streamRevision('nope')).toBeNull();
  });

  it('tells the head position and counts what follows a position, up to a limit', async () => {
    const { store, events } = await seeded();
    expect(await store.headPosition()).toEqual(events[4].position);
    expect(await store.countAfter(events[1].position, 100)).toBe(3);
    expect(await store.countAfter(events[1].position, 2)).toBe(2);
    expect(await store.countAfter(START, 100)).toBe(5);
    expect(await setup().store.headPosition()).toBeNull();
  });
});

describe('EsdbEventStore: stream metadata', () => {
  it('maps StreamMetadata to the client metadata and its $-keys on the wire, and back', async () => {
    const { store, client } = setup();
    await store.setStreamMetadata('s', { maxAge: 3600, maxCount: 10, truncateBefore: 5n, custom: { schoolId: 'school-1', hold: true } });

    expect(client.metastreams.get('s')).toEqual({ $maxAge: 3600, $maxCount: 10, $tb: 5, schoolId: 'school-1', hold: true });
    expect(await store.getStreamMetadata('s')).toEqual({ maxAge: 3600, maxCount: 10, truncateBefore: 5n, custom: { schoolId: 'school-1', hold: true } });
  });

  it('reads metadata written by others: $tb only, unknown $ keys dropped; none is null', async () => {
    const { store, client } = setup();
    client.metastreams.set('t', { $tb: 7, $cacheControl: 60, $custom: 'x' });
    expect(await store.getStreamMetadata('t')).toEqual({ truncateBefore: 7n });
    expect(await store.getStreamMetadata('none')).toBeNull();
  });

  it('refuses custom fields that would be taken for reserved ones', async () => {
    const { store } = setup();
    await expect(store.setStreamMetadata('s', { custom: { maxAge: 1 } })).rejects.toMatchObject({ code: 'INVALID_STREAM_METADATA' });
    await expect(store.setStreamMetadata('s', { custom: { $tb: 1 } })).rejects.toMatchObject({ code: 'INVALID_STREAM_METADATA' });
  });
});

describe('EsdbEventStore: subscriptions', () => {
  function record(n: number, type: string, streamId: string, commit: bigint) {
    return {
      event: { streamId, id: randomUUID(), type, isJson: true, data: { n }, metadata: {}, revision: 0n, position: { commit, prepare: commit }, created: new Date() },
    };
  }

  it('filters on the server and again here, starts after `from`, and ends when closed', async () => {
    const { store, client } = setup();
    const sub = store.subscribeToAll({ from: { commit: 10n, prepare: 10n }, filter: { streamPrefixes: ['course-'], eventTypes: ['Viewed'] } });
    expect(client.subscribeCalls[0]).toMatchObject({ fromPosition: { commit: 10n, prepare: 10n }, filter: { filterOn: 'streamName', prefixes: ['course-'] } });

    const inner = client.subscriptions[0];
    inner.write(record(0, 'Viewed', 'course-1', 10n)); // the checkpoint itself
    inner.write(record(1, 'Viewed', 'course-1', 20n));
    inner.write(record(2, 'Graded', 'course-1', 30n)); // other type
    inner.write(record(3, 'Viewed', 'user-1', 40n)); // other stream
    inner.write(record(4, '$>', 'course-1', 50n)); // system
    inner.write(record(5, 'Viewed', 'course-2', 60n));

    const seen: unknown[] = [];
    for await (const e of sub) {
      seen.push(e.data.n);
      if (seen.length === 2) setTimeout(() => void sub.close(), 10); // close while the loop waits for more
    }
    expect(seen).toEqual([1, 5]);
    expect(inner.unsubscribed).toBe(true);
  });

  it('excludes system events on the server when there is no filter, and matches event types exactly', () => {
    const { store, client } = setup();
    void store.subscribeToAll().close();
    void store.subscribeToAll({ filter: { eventTypes: ['Course.Viewed', 'Graded'] } }).close();
    expect(client.subscribeCalls[0]).toMatchObject({ fromPosition: 'start', filter: { filterOn: 'eventType', regex: '^[^$].*' } });
    expect(client.subscribeCalls[1]).toMatchObject({ filter: { filterOn: 'eventType', regex: '^(?:Course\\.Viewed|Graded)$' } });
  });
});
