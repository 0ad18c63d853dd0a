/**
 * The EventStoreDB / KurrentDB adapter of the EventStore port, over the official
 * gRPC client `@kurrent/kurrentdb-client` (1.3.x).
 *
 * Client API notes, checked against the client's own .d.ts and dist sources:
 * - `appendToStream(stream, events, { streamState })`: the option was renamed from
 *   `expectedRevision`; the old name is silently ignored and the append then runs
 *   with ANY, so every concurrency check would pass. Only `streamState` is used here.
 * - `readStream` / `readAll` are async generators (served by the client's Rust
 *   bridge); a missing stream surfaces as `StreamNotFoundError` while iterating.
 *   `readAll`'s `fromPosition` is inclusive.
 * - `multiStreamAppend` (KurrentDB 25.1+) appends atomically across streams; see
 *   `appendBatch` for what it reports and what it does not.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START as CLIENT_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnsupportedError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as ClientAppendResult,
  type AppendStreamRequest,
  type AppendStreamState,
  type EventData,
  type Filter,
  type ReadPosition,
  type ResolvedEvent,
  type StreamMetadata as ClientStreamMetadata,
} from '@kurrent/kurrentdb-client';
import { validateAppend } from '../append-validation';
import { EventStoreError, InvalidEventError, WrongExpectedRevisionError, expectedToString } from '../errors';
import {
  START,
  comparePositions,
  matchesFilter,
  type AppendRequest,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamMetadata,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionFilter,
} from '../event-store';

/** The part of the client this adapter uses: a real `KurrentDBClient`, or a fake in unit tests. */
export type EsdbClient = Pick<
  KurrentDBClient,
  | 'appendToStream'
  | 'multiStreamAppend'
  | 'readStream'
  | 'readAll'
  | 'subscribeToAll'
  | 'getStreamMetadata'
  | 'setStreamMetadata'
  | 'dispose'
>;

export interface EsdbEventStoreOptions {
  /** Events asked of the server per round trip when reading $all (default 500). */
  pageSize?: number;
}

/**
 * Event metadata written through `multiStreamAppend` travels as record
 * "properties", whose values must be strings (the client refuses anything else),
 * and comes back on reads as a JSON object of strings plus server-added
 * `$schema.*` keys. So `appendBatch` keeps string values as they are, JSON-encodes
 * the others, and lists the encoded keys under this marker; reads undo it.
 */
const BATCH_METADATA_MARKER = 'learnstream.json-keys';

/** Names the client maps to reserved `$` metadata keys ($maxAge, $tb, ...): not usable as custom fields. */
const RESERVED_METADATA_NAMES = new Set(['maxAge', 'maxCount', 'truncateBefore', 'cacheControl', 'acl']);

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<EsdbSubscription>();

  constructor(
    private readonly client: EsdbClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error(`pageSize must be a positive integer, got ${this.pageSize}`);
  }

  /**
   * Connects with a connection string such as `kurrentdb://localhost:2113?tls=false`.
   * `esdb://` strings are accepted and rewritten to the equivalent `kurrentdb://`
   * (the client parses both the same way but prints a deprecation warning for `esdb`).
   */
  static fromConnectionString(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    const normalised = connectionString.trim().replace(/^esdb(\+discover)?:\/\//i, (_m, discover: string | undefined) => `kurrentdb${discover ?? ''}://`);
    return new EsdbEventStore(KurrentDBClient.connectionString(normalised), options);
  }

  // ---------------------------------------------------------------- appends

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    validateAppend(streamId, events);
    if (events.length === 0) return this.checkWithoutAppending(streamId, expected);

    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), { streamState: toStreamState(expected) });
    } catch (error) {
      throw mapAppendError(error, () => expected);
    }
    if (!result.success) {
      // Only with a client built with throwOnAppendFailure: false. Its reported revision is
      // not reliable in that mode (client 1.3.1's batch append turns it into 0 or 1), so read it.
      throw new WrongExpectedRevisionError(streamId, expectedToString(expected), await this.streamRevision(streamId));
    }
    const position = result.position ?? (await this.positionAt(streamId, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position: copyPosition(position) };
  }

  /**
   * One atomic append to several streams, with `multiStreamAppend` (KurrentDB 25.1+;
   * older servers make the client throw UnsupportedError, reported here as
   * UNSUPPORTED). All four expected states are supported. Limits of that API:
   * - a stream may appear only once per batch, and every request needs events;
   * - metadata values travel as strings (see BATCH_METADATA_MARKER), keys starting
   *   with `$` are reserved by the server;
   * - the result holds each stream's new revision and one global commit position for
   *   the whole batch, not each stream's last event position: that is read back
   *   (one read per stream, of the event at its new revision).
   * A batch of one request is a plain `appendToStream`, which works on any server.
   */
  async appendBatch(requests: AppendRequest[]): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    if (requests.length === 1) {
      const [r] = requests;
      return [await this.appendToStream(r.streamId, r.events, { expectedRevision: r.expectedRevision })];
    }
    const seen = new Set<string>();
    for (const r of requests) {
      validateAppend(r.streamId, r.events);
      if (seen.has(r.streamId)) {
        throw new EventStoreError('UNSUPPORTED', `esdb appendBatch: stream ${r.streamId} appears twice; KurrentDB takes each stream once per batch, so merge its events into one request`);
      }
      seen.add(r.streamId);
      if (r.events.length === 0) {
        throw new EventStoreError('UNSUPPORTED', `esdb appendBatch: the request for ${r.streamId} has no events; KurrentDB's multi-stream append only checks streams it writes to`);
      }
    }

    const expectedOf = new Map(requests.map((r) => [r.streamId, r.expectedRevision]));
    const clientRequests: AppendStreamRequest[] = requests.map((r) => ({
      streamName: r.streamId,
      expectedState: toStreamState(r.expectedRevision),
      events: r.events.map((e) => toEventData({ ...e, metadata: encodeBatchMetadata(e.metadata) })),
    }));
    let result: Awaited<ReturnType<EsdbClient['multiStreamAppend']>>;
    try {
      result = await this.client.multiStreamAppend(clientRequests);
    } catch (error) {
      if (error instanceof UnsupportedError) {
        throw new EventStoreError('UNSUPPORTED', `esdb appendBatch needs KurrentDB 25.1 or later for multi-stream appends (${error.message})`);
      }
      throw mapAppendError(error, (stream) => expectedOf.get(stream));
    }

    const revisions = new Map(result.responses.map((r) => [r.streamName, r.revision]));
    return Promise.all(
      requests.map(async (r): Promise<AppendResult> => {
        const revision = revisions.get(r.streamId);
        if (revision === undefined) throw new EventStoreError('UNEXPECTED_RESPONSE', `esdb appendBatch: no result for stream ${r.streamId}`);
        // Fallback when the read-back gives no position (servers before 22.6): the batch's commit position.
        const position = (await this.positionAt(r.streamId, revision, false)) ?? { commit: result.position, prepare: result.position };
        return { nextExpectedRevision: revision, position: copyPosition(position) };
      }),
    );
  }

  /** An append of no events writes nothing: check the expectation and report where the stream is. */
  private async checkWithoutAppending(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const current = await this.streamRevision(streamId);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === null) ||
      (expected === 'stream_exists' && current !== null) ||
      (typeof expected === 'bigint' && (expected < 0n ? current === null : current === expected));
    if (!ok) throw new WrongExpectedRevisionError(streamId, expectedToString(expected), current);
    return { nextExpectedRevision: current ?? -1n, position: (await this.headPosition()) ?? START };
  }

  /** The log position of the event at `revision` in a stream. */
  private async positionAt(streamId: string, revision: bigint, required?: true): Promise<Position>;
  private async positionAt(streamId: string, revision: bigint, required: false): Promise<Position | null>;
  private async positionAt(streamId: string, revision: bigint, required = true): Promise<Position | null> {
    for await (const resolved of this.client.readStream(streamId, { fromRevision: revision, direction: BACKWARDS, maxCount: 1 })) {
      const position = positionOf(resolved);
      if (position) return position;
    }
    if (!required) return null;
    throw new EventStoreError('NO_POSITION', `esdb: cannot tell the log position of ${streamId}@${revision} (KurrentDB/EventStoreDB 22.6 or later is required)`);
  }

  // ------------------------------------------------------------------ reads

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    if (options.maxCount !== undefined && options.maxCount <= 0) return;
    try {
      for await (const resolved of this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : CLIENT_START),
        ...(options.maxCount !== undefined && { maxCount: options.maxCount }),
      })) {
        const event = toRecorded(resolved);
        if (event) yield event;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw error;
    }
  }

  /**
   * Reads $all page by page (`pageSize` events per request, never the whole log).
   * `from` is exclusive while the client's `fromPosition` is inclusive: every page
   * starts at the last position already seen, asks for one more event, and drops
   * whatever is not strictly beyond that position.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const pageSize = options.pageSize ?? this.pageSize;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let boundary: Position | null = options.from ?? null;
    if (backwards && boundary && comparePositions(boundary, START) <= 0) return; // nothing before the start
    let cursor: ReadPosition = boundary && comparePositions(boundary, START) > 0 ? boundary : backwards ? END : CLIENT_START;

    while (remaining > 0) {
      const inclusiveStart = typeof cursor !== 'string';
      const want = Math.min(pageSize, remaining) + (inclusiveStart ? 1 : 0);
      let fetched = 0;
      let last: Position | null = null;
      for await (const resolved of this.client.readAll({ fromPosition: cursor, direction: backwards ? BACKWARDS : FORWARDS, maxCount: want })) {
        fetched++;
        const position = positionOf(resolved);
        if (position) last = position;
        if (boundary && position && !isBeyond(position, boundary, backwards)) continue;
        const event = toRecorded(resolved);
        if (!event) continue;
        yield event;
        if (--remaining <= 0) return;
      }
      if (fetched < want || !last) return; // the end of the log
      cursor = last;
      boundary = last;
    }
  }

  /**
   * A catch-up subscription to $all. The server filters (stream prefixes when
   * given, else exact event types, else "no system events"; it takes only one
   * kind at a time) and the adapter checks both kinds of filter again on each
   * event. The server starts after `fromPosition`; events at or before `from`
   * are dropped here as well, so the checkpoint is exclusive either way.
   */
  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const from = options.from && comparePositions(options.from, START) > 0 ? options.from : null;
    const inner = this.client.subscribeToAll({ fromPosition: from ?? CLIENT_START, filter: serverFilter(options.filter) });
    const subscription = new EsdbSubscription(
      inner,
      (resolved) => {
        const event = toRecorded(resolved);
        if (!event || !matchesFilter(event, options.filter)) return null;
        if (from && comparePositions(event.position, from) <= 0) return null;
        return event;
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(streamId: string): Promise<bigint | null> {
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const event = resolved.event ?? resolved.link;
        if (event) return event.revision;
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | null> {
    // The client reads the last event of `$$<stream>` and turns a missing one into `metadata: undefined`.
    const { metadata } = await this.client.getStreamMetadata(streamId);
    return metadata ? fromClientStreamMetadata(metadata) : null;
  }

  async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    // The client renames maxAge/maxCount/truncateBefore to $maxAge/$maxCount/$tb on the wire.
    await this.client.setStreamMetadata(streamId, toClientStreamMetadata(metadata));
  }

  async headPosition(): Promise<Position | null> {
    for await (const event of this.readAll({ direction: 'backwards', maxCount: 1 })) return event.position;
    return null;
  }

  async countAfter(from: Position, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    let n = 0;
    for await (const _event of this.readAll({ from, maxCount: limit })) n++;
    return n;
  }

  async ping(): Promise<void> {
    // The cheapest round trip that needs a working connection: the last record of $all.
    for await (const _resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}

// ------------------------------------------------------------ subscription

const CLOSED = Symbol('closed');

/** Wraps the client's subscription (a Node Readable) as the port's Subscription. */
class EsdbSubscription implements Subscription {
  private closed = false;
  private signalClosed!: () => void;
  private readonly closedSignal = new Promise<typeof CLOSED>((resolve) => {
    this.signalClosed = () => resolve(CLOSED);
  });

  constructor(
    private readonly inner: AllStreamSubscription,
    private readonly accept: (resolved: AllStreamResolvedEvent) => RecordedEvent | null,
    private readonly onClose: () => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    const source = this.inner[Symbol.asyncIterator]();
    try {
      while (!this.closed) {
        // Cancelling the gRPC call does not end the client's stream (it is piped and only
        // ends on 'end'), so a pending read is raced against close().
        const next = source.next();
        next.catch(() => undefined); // a read still pending at close() may reject later: not ours to report
        const result = await Promise.race([next, this.closedSignal]);
        if (result === CLOSED || result.done) return;
        const event = this.accept(result.value);
        if (event) yield event;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    this.onClose();
    try {
      await this.inner.unsubscribe();
    } catch {
      // The call never started (e.g. no connection): nothing to cancel.
    }
    this.inner.destroy();
  }
}

// ---------------------------------------------------------------- mapping

function toEventData(e: EventToAppend): EventData {
  return jsonEvent({ id: e.id ?? randomUUID(), type: e.type, data: e.data, metadata: e.metadata });
}

/** Our expected revision as the client's `streamState`. -1 (what an empty stream reports) means no stream. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (expected === -1n) return NO_STREAM;
      if (expected < 0n) throw new InvalidEventError(`expected revision must be 0 or more, got ${expected}`);
      return expected;
  }
}

/** The client's WrongExpectedVersionError as ours; other errors pass through. */
function mapAppendError(error: unknown, expectedFor: (streamId: string) => ExpectedRevision | undefined): unknown {
  if (!(error instanceof WrongExpectedVersionError)) return error;
  const actual = error.actualState === 'no_stream' || error.actualState < 0n ? null : error.actualState;
  const expected = expectedFor(error.streamName) ?? error.expectedState;
  return new WrongExpectedRevisionError(error.streamName, expectedToString(expected), actual);
}

export function encodeBatchMetadata(metadata: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const jsonKeys: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue; // as JSON.stringify drops it
    if (key.startsWith('$') || key === BATCH_METADATA_MARKER) {
      throw new InvalidEventError(`metadata key "${key}" is reserved by KurrentDB's multi-stream append`);
    }
    if (typeof value === 'string') {
      out[key] = value;
    } else {
      out[key] = JSON.stringify(value);
      jsonKeys.push(key);
    }
  }
  out[BATCH_METADATA_MARKER] = JSON.stringify(jsonKeys);
  return out;
}

export function decodeMetadata(raw: unknown): Record<string, unknown> {
  if (!isPlainObject(raw)) return {};
  const marker = raw[BATCH_METADATA_MARKER];
  if (typeof marker !== 'string') return raw;
  const jsonKeys = new Set(parseJsonOr<string[]>(marker, []));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === BATCH_METADATA_MARKER || key.startsWith('$')) continue; // the marker, and `$schema.*` added by the server
    out[key] = jsonKeys.has(key) && typeof value === 'string' ? parseJsonOr(value, value) : value;
  }
  return out;
}

function parseJsonOr<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** A recorded event of ours, or null for what the port does not carry: system events, links, non-JSON payloads. */
export function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const e = resolved.event;
  if (!e || e.type.startsWith('$') || !e.isJson || !isPlainObject(e.data)) return null;
  const position = positionOf(resolved);
  if (!position) {
    throw new EventStoreError('NO_POSITION', `esdb: event ${e.id} of ${e.streamId} has no log position (KurrentDB/EventStoreDB 22.6 or later is required)`);
  }
  return {
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: copyPosition(position),
    data: e.data,
    metadata: decodeMetadata(e.metadata),
    recordedAt: e.created,
  };
}

function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): Position | null {
  const position = resolved.event?.position ?? resolved.link?.position;
  if (position) return position;
  // Without a prepare position, the commit position alone still orders records.
  return resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : null;
}

function copyPosition(p: Position): Position {
  return { commit: p.commit, prepare: p.prepare };
}

function isBeyond(position: Position, boundary: Position, backwards: boolean): boolean {
  const c = comparePositions(position, boundary);
  return backwards ? c < 0 : c > 0;
}

function serverFilter(filter: SubscriptionFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.eventTypes?.length) return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  return excludeSystemEvents();
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Our StreamMetadata in the client's shape: reserved fields by name, custom fields alongside. */
export function toClientStreamMetadata(m: StreamMetadata): ClientStreamMetadata {
  const out: ClientStreamMetadata = {};
  for (const [key, value] of Object.entries(m.custom ?? {})) {
    if (RESERVED_METADATA_NAMES.has(key) || key.startsWith('$')) {
      throw new EventStoreError('INVALID_STREAM_METADATA', `custom stream metadata field "${key}" collides with a reserved EventStoreDB field`);
    }
    out[key] = value;
  }
  if (m.maxAge !== undefined) out.maxAge = integer('maxAge', m.maxAge);
  if (m.maxCount !== undefined) out.maxCount = integer('maxCount', m.maxCount);
  if (m.truncateBefore !== undefined) {
    if (m.truncateBefore < 0n || m.truncateBefore > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new EventStoreError('INVALID_STREAM_METADATA', `truncateBefore must be between 0 and ${Number.MAX_SAFE_INTEGER}, got ${m.truncateBefore}`);
    }
    out.truncateBefore = Number(m.truncateBefore);
  }
  return out;
}

/** The client's metadata as ours. ACL and cache control are not part of the port and are left out. */
export function fromClientStreamMetadata(m: ClientStreamMetadata): StreamMetadata {
  const { maxAge, maxCount, truncateBefore, cacheControl: _cacheControl, acl: _acl, ...rest } = m;
  const out: StreamMetadata = {};
  if (typeof maxAge === 'number') out.maxAge = maxAge;
  if (typeof maxCount === 'number') out.maxCount = maxCount;
  const tb = truncateBefore as unknown;
  if (typeof tb === 'number' || typeof tb === 'bigint' || (typeof tb === 'string' && /^\d+$/.test(tb))) out.truncateBefore = BigInt(tb);
  const custom = Object.fromEntries(Object.entries(rest).filter(([key]) => !key.startsWith('$')));
  if (Object.keys(custom).length > 0) out.custom = custom;
  return out;
}

function integer(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EventStoreError('INVALID_STREAM_METADATA', `${name} must be a whole number of 0 or more, got ${value}`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
