/**
 * The event store port. Two adapters implement it: PostgreSQL (the default,
 * `postgres/`) and EventStoreDB/KurrentDB (`esdb/`). Both pass the contract
 * suite in `testing/event-store.contract.ts`.
 *
 * The port speaks raw JSON (`data`, `metadata`); the typed envelope, validation,
 * encryption of personal data and upcasting live one layer up, in `EventLog`.
 */

/** What the writer expects the stream to be at: a revision, or one of three states. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/**
 * A place in the global log, totally ordered by (commit, prepare).
 * PostgreSQL: commit = the writing transaction's id (xid8), prepare = the row's
 * sequence number. EventStoreDB: its own commit/prepare positions.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Before the first event: reading or subscribing "after START" yields everything. */
export const START: Position = Object.freeze({ commit: -1n, prepare: -1n });

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function parsePosition(s: string): Position {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(s);
  if (!m) throw new Error(`not a position: "${s}" (expected commit/prepare)`);
  return { commit: BigInt(m[1]), prepare: BigInt(m[2]) };
}

export interface EventToAppend {
  /** Event UUID; generated when absent. Appending the same id twice to a stream is refused. */
  id?: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface RecordedEvent {
  id: string;
  type: string;
  streamId: string;
  /** 0-based revision of the event within its stream. */
  revision: bigint;
  position: Position;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** When the store recorded it (server clock). */
  recordedAt: Date;
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as expectedRevision next time. */
  nextExpectedRevision: bigint;
  /** Position of the last event appended. */
  position: Position;
}

export interface AppendRequest {
  streamId: string;
  events: EventToAppend[];
  expectedRevision: ExpectedRevision;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive start revision; defaults to the first (forwards) or last (backwards) event. */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: Direction;
  /** Exclusive: read the events after (forwards) or before (backwards) this position. */
  from?: Position;
  maxCount?: number;
  /** How many events are fetched per round trip; reads never hold the whole log in memory. */
  pageSize?: number;
}

export interface SubscriptionFilter {
  /** Only events whose type is in this list. */
  eventTypes?: string[];
  /** Only events of streams whose id starts with one of these prefixes (e.g. `course-`). */
  streamPrefixes?: string[];
}

/** Whether an event passes a subscription filter (both adapters check it on their side too). */
export function matchesFilter(e: { type: string; streamId: string }, filter?: SubscriptionFilter): boolean {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(e.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => e.streamId.startsWith(p))) return false;
  return true;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: delivery starts with the first event after it. */
  from?: Position;
  filter?: SubscriptionFilter;
}

/** A catch-up subscription: first the history after the checkpoint, then live events. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Stops the subscription; the iterator then ends. */
  close(): Promise<void>;
}

/** The reserved part of the stream metadata, with the same meaning as in EventStoreDB. */
export interface StreamMetadata {
  /** Events older than this many seconds are no longer returned when reading the stream. */
  maxAge?: number;
  /** Only the last N events are returned when reading the stream. */
  maxCount?: number;
  /** Events with a revision below this one are no longer returned when reading the stream. */
  truncateBefore?: bigint;
  /** Application-defined fields: opaque ids only, never personal data. */
  custom?: Record<string, unknown>;
}

export interface EventStore {
  readonly kind: 'postgres' | 'esdb';
  /** Appends events to one stream atomically, checking the expected revision first. */
  appendToStream(streamId: string, events: EventToAppend[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Appends to several streams in one atomic batch: all requests succeed, or none. */
  appendBatch(requests: AppendRequest[]): Promise<AppendResult[]>;
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** The stream's current revision, or null when it does not exist. */
  streamRevision(streamId: string): Promise<bigint | null>;
  getStreamMetadata(streamId: string): Promise<StreamMetadata | null>;
  setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void>;
  /** Position of the last event in the log, or null when the log is empty. */
  headPosition(): Promise<Position | null>;
  /** Number of events after `from`, counted up to `limit` (lag is capped, never a full scan). */
  countAfter(from: Position, limit: number): Promise<number>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Nest injection token for the configured adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');
