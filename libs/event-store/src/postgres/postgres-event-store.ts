/**
 * The PostgreSQL adapter of the EventStore port (the default).
 *
 * Ordering without gaps: a sequence alone is not enough, because transactions
 * commit in a different order than they took their sequence numbers; a reader
 * that had passed position 12 would never see 11 committed a moment later.
 * Every row records its writing transaction's id (xid8), and the global order
 * is (transaction_id, global_position). Readers of $all only return rows of
 * transactions older than the oldest transaction still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`): no transaction can still commit
 * below that line, so what a reader has passed is final. A long-running writing
 * transaction anywhere in the cluster holds delivery back until it ends, never
 * lets it skip. (The approach of emmett-postgresql, Marten and Eventuous.)
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { PgListener } from '@learnstream/database';
import { validateAppend } from '../append-validation';
import { processAppends } from '../append-activity';
import { EventStoreError } from '../errors';
import { claimRevisions, claimRevisionsOfMany } from './stream-revisions';
import {
  START,
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
} from '../event-store';

/** The channel every committed append notifies, waking live subscriptions. */
export const NOTIFY_CHANNEL = 'learnstream_events';

/**
 * Sent inside every append's transaction (delivered on COMMIT), as a column of
 * the INSERT's RETURNING (no statement of its own; PostgreSQL delivers one
 * notification per transaction for identical payloads): the payload is the
 * writing transaction's id, so that a subscription woken by it knows which
 * transaction it has still to see (one held back by an older open transaction
 * is polled for until it shows, see `subscribeToAll`).
 */
export const NOTIFY_APPENDED_COLUMN = `pg_notify('${NOTIFY_CHANNEL}', transaction_id::text) AS notified`;

/**
 * Work done inside an append's own transaction, after its rows are inserted
 * and before COMMIT, on the same connection: the inline read models
 * (`@learnstream/projections` InlineProjections). A failure rolls the append
 * back. Called by every append path of this adapter (single appends and the
 * group commit of AppendBatcher), with the events just appended in log order.
 */
export interface InTransactionHandler {
  (client: pg.PoolClient, appended: RecordedEvent[]): Promise<void>;
  /**
   * The event types it acts on, when it says: an append of none of them may
   * skip it (and the group commit then writes in one statement, no
   * transaction of its own). Absent: every append calls it.
   */
  readonly types?: ReadonlySet<string>;
}

export interface PostgresEventStoreOptions {
  /** Events fetched per round trip when reading $all or a stream. */
  pageSize?: number;
  /**
   * How often a live subscription looks again while an append it was told of
   * is still held back (an older transaction is open), and while the LISTEN
   * connection is down.
   */
  pollIntervalMs?: number;
  /** How often an idle live subscription looks for new events with no notification (a safety net: appends NOTIFY). */
  safetyPollMs?: number;
  /** How long after a notification a subscription keeps polling for the notified transaction. */
  heldBackPollForMs?: number;
  /** How long a one-shot readAll waits for committed events still held back by an older open transaction. */
  stableWaitMs?: number;
  /** The process's one LISTEN connection to this database (shared with the session revocations); else the store opens its own. */
  listener?: PgListener;
}

/** A row of the events table as the store reads it (COLUMNS). */
export interface EventRow {
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const COLUMNS = 'transaction_id, global_position, stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at';

/** An events-table row as the RecordedEvent every reader of the log gets. */
export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

/** xid8 is unsigned: START (-1/-1) becomes (0, -1); no real transaction has id 0. */
function sqlPosition(p: Position): [string, string] {
  return p.commit < 0n ? ['0', '-1'] : [p.commit.toString(), p.prepare.toString()];
}

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly safetyPollMs: number;
  private readonly heldBackPollForMs: number;
  private readonly stableWaitMs: number;
  private readonly appended = new EventEmitter();
  private readonly listener: PgListener;
  /** Whether the listener is the store's own (closed with it) rather than the process's shared one. */
  private readonly ownListener: boolean;
  private listening: Promise<() => void> | null = null;
  /** Stops waking the subscriptions when the LISTEN connection is lost. */
  private offLost: (() => void) | null = null;
  private closed = false;
  /** The inline read models, applied in every append's transaction (null: none). */
  inTransaction: InTransactionHandler | null = null;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.safetyPollMs = options.safetyPollMs ?? 5000;
    this.heldBackPollForMs = options.heldBackPollForMs ?? 3000;
    this.stableWaitMs = options.stableWaitMs ?? 2000;
    this.appended.setMaxListeners(0);
    this.ownListener = !options.listener;
    this.listener = options.listener ?? new PgListener(pool.options);
  }

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const [result] = await this.appendBatch([{ streamId, events, expectedRevision: options.expectedRevision ?? 'any' }]);
    return result;
  }

  async appendBatch(requests: AppendRequest[]): Promise<AppendResult[]> {
    for (const r of requests) validateAppend(r.streamId, r.events);
    processAppends.noteAppend();
    // Batches are atomic: one that lost a deadlock rolled back whole and is simply tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendBatchOnce(requests);
      } catch (error) {
        if ((error as { code?: string }).code !== '40P01' || attempt >= 3) throw error;
      }
    }
  }

  private async appendBatchOnce(requests: AppendRequest[]): Promise<AppendResult[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (requests.length > 1) {
        // Lock the existing streams of a multi-stream batch in one order, so that
        // two batches over the same streams queue instead of deadlocking.
        const ids = [...new Set(requests.map((r) => r.streamId))].sort();
        await client.query('SELECT 1 FROM streams WHERE stream_id = ANY ($1) ORDER BY stream_id FOR UPDATE', [ids]);
      }
      const appended: RecordedEvent[] = [];
      const distinct = new Set(requests.map((r) => r.streamId)).size === requests.length;
      const results = requests.length > 1 && distinct ? await this.appendManyInTransaction(client, requests, appended) : [];
      if (!results.length) for (const r of requests) results.push(await this.appendInTransaction(client, r, appended));
      if (this.inTransaction && appended.length) await this.inTransaction(client, appended);
      await client.query('COMMIT');
      return results;
    } catch (error) {
      // A connection that cannot even roll back is thrown away, not returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      if (error instanceof EventStoreError) throw error;
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23505' && pgError.constraint === 'events_event_id_key') {
        throw new EventStoreError('DUPLICATE_EVENT_ID', 'an event with this id is already in the log');
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * A batch over distinct streams, set-wise: the revisions of every stream
   * claimed in a statement or a few (claimRevisionsOfMany), the events of all
   * of them inserted in one statement, in request order.
   */
  private async appendManyInTransaction(client: pg.PoolClient, requests: AppendRequest[], appended: RecordedEvent[]): Promise<AppendResult[]> {
    const revisions = await claimRevisionsOfMany(
      client,
      requests.map((r) => ({ streamId: r.streamId, expected: r.expectedRevision, n: r.events.length })),
    );
    return this.insertEvents(client, requests, revisions, appended);
  }

  private async appendInTransaction(client: pg.PoolClient, request: AppendRequest, appended: RecordedEvent[]): Promise<AppendResult> {
    const revision = await claimRevisions(client, request.streamId, request.expectedRevision, request.events.length);
    const [result] = await this.insertEvents(client, [request], [revision], appended);
    return result;
  }

  /**
   * Inserts the events of requests whose revisions are claimed (each request's
   * new revision), in one statement and in request order; adds them to
   * `appended`. A request's position is its last event's (the head for none).
   */
  private async insertEvents(client: pg.PoolClient, requests: AppendRequest[], revisions: bigint[], appended: RecordedEvent[]): Promise<AppendResult[]> {
    const rows = requests.flatMap((r, k) =>
      r.events.map((event, i) => ({ streamId: r.streamId, revision: revisions[k] - BigInt(r.events.length) + 1n + BigInt(i), id: event.id ?? randomUUID(), event })),
    );
    // The rows go as one JSON document (jsonb_to_recordset), not as six arrays: pg escapes every
    // element of a jsonb[] parameter (each quote of each event), a cost per row of a bulk append.
    const { rows: inserted } = rows.length
      ? await client.query<{ event_id: string; transaction_id: string; global_position: string; recorded_at: Date }>(
          `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
           SELECT t.s, t.r, t.i, t.ty, t.d, t.m
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (s text, r bigint, i uuid, ty text, d jsonb, m jsonb)) WITH ORDINALITY AS t(s, r, i, ty, d, m, ord)
           ORDER BY t.ord
           RETURNING event_id, transaction_id, global_position, recorded_at, ${NOTIFY_APPENDED_COLUMN}`,
          [JSON.stringify(rows.map((r) => ({ s: r.streamId, r: r.revision.toString(), i: r.id, ty: r.event.type, d: r.event.data, m: r.event.metadata })))],
        )
      : { rows: [] };
    const byId = new Map(inserted.map((row) => [row.event_id, row]));
    const head = requests.some((r) => !r.events.length) ? await this.headPosition(client) : null;
    const last = new Map<string, Position>();
    for (const row of rows) {
      const written = byId.get(row.id.toLowerCase())!;
      const position = { commit: BigInt(written.transaction_id), prepare: BigInt(written.global_position) };
      appended.push({ id: row.id, type: row.event.type, streamId: row.streamId, revision: row.revision, position, data: row.event.data, metadata: row.event.metadata, recordedAt: written.recorded_at });
      last.set(row.streamId, position);
    }
    return requests.map((r, k) => ({ nextExpectedRevision: revisions[k], position: last.get(r.streamId) ?? head ?? START }));
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const { rows: streams } = await this.pool.query<{ revision: string; metadata: SerializedMetadata | null }>(
      'SELECT revision, metadata FROM streams WHERE stream_id = $1',
      [streamId],
    );
    if (streams.length === 0) return;
    const current = BigInt(streams[0].revision);
    const meta = deserializeMetadata(streams[0].metadata);
    // The stream's metadata hides events, as in EventStoreDB: truncateBefore, maxCount, maxAge.
    let lowest = meta?.truncateBefore ?? 0n;
    if (meta?.maxCount !== undefined) lowest = bigMax(lowest, current - BigInt(meta.maxCount) + 1n);
    const maxAge = meta?.maxAge ?? null;

    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let next = options.fromRevision ?? (backwards ? current : lowest);
    while (remaining > 0) {
      if (backwards ? next < lowest : next > current) return;
      const limit = Math.min(this.pageSize, remaining);
      const { rows } = await this.pool.query<EventRow>(
        `SELECT ${COLUMNS} FROM events
         WHERE stream_id = $1 AND stream_revision ${backwards ? '<=' : '>='} $2 AND stream_revision >= $3
           AND ($5::int IS NULL OR recorded_at >= now() - make_interval(secs => $5::int))
         ORDER BY stream_revision ${backwards ? 'DESC' : 'ASC'} LIMIT $4`,
        [streamId, next.toString(), lowest.toString(), limit, maxAge],
      );
      for (const row of rows) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      const last = BigInt(rows[rows.length - 1].stream_revision);
      next = backwards ? last - 1n : last + 1n;
    }
  }

  /**
   * Reads $all in pages. Events of transactions that committed but are not yet
   * below the stable line (an older transaction is still running somewhere) are
   * waited for, up to `stableWaitMs`, so that a read right after an append sees
   * it; what is returned is always in final order, so reading on from the last
   * position never skips an event.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const pageSize = options.pageSize ?? this.pageSize;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let from: Position | null = options.from ?? (backwards ? null : START);
    const deadline = Date.now() + this.stableWaitMs;
    if (backwards) await this.waitUntilStable(null, from, deadline);
    while (remaining > 0) {
      const limit = Math.min(pageSize, remaining);
      const rows = backwards ? await this.pageBackwards(from, limit) : await this.pageForwards(from ?? START, limit);
      for (const row of rows) yield toRecorded(row);
      remaining -= rows.length;
      if (rows.length > 0) {
        const last = rows[rows.length - 1];
        from = { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) };
      }
      if (rows.length < limit) {
        if (backwards || !(await this.waitUntilStable(from, null, deadline))) return;
      }
    }
  }

  /**
   * Waits while committed events between `after` and `before` are still above
   * the stable line. Returns true when there were such events and they became
   * readable, false when there were none (or the deadline passed).
   */
  private async waitUntilStable(after: Position | null, before: Position | null, deadline: number): Promise<boolean> {
    let waited = false;
    for (;;) {
      const [atx, apos] = after ? sqlPosition(after) : [null, null];
      const [btx, bpos] = before ? sqlPosition(before) : [null, null];
      const { rows } = await this.pool.query<{ pending: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM events
           WHERE ($1::xid8 IS NULL OR (transaction_id, global_position) > ($1::xid8, $2::bigint))
             AND ($3::xid8 IS NULL OR (transaction_id, global_position) < ($3::xid8, $4::bigint))
             AND transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS pending`,
        [atx, apos, btx, bpos],
      );
      if (!rows[0].pending) return waited;
      if (Date.now() > deadline) return false;
      waited = true;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The next page after `from`, only of transactions that can no longer be overtaken. */
  private async pageForwards(from: Position, limit: number, client: pg.Pool | pg.PoolClient = this.pool): Promise<EventRow[]> {
    const [tx, pos] = sqlPosition(from);
    const { rows } = await client.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id, global_position LIMIT $3`,
      [tx, pos, limit],
    );
    return rows;
  }

  private async pageBackwards(before: Position | null, limit: number): Promise<EventRow[]> {
    const [tx, pos] = before ? sqlPosition(before) : [null, null];
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
       WHERE ($1::xid8 IS NULL OR (transaction_id, global_position) < ($1::xid8, $2::bigint))
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, global_position DESC LIMIT $3`,
      [tx, pos, limit],
    );
    return rows;
  }

  /**
   * A live subscription reads a page when woken by an append's NOTIFY (one
   * LISTEN connection of the process), and otherwise only every `safetyPollMs`:
   * an idle subscription costs nothing. The notification names the committed
   * transaction; while it is not yet readable (an older transaction is still
   * open, so it is above the stable line) the subscription polls every
   * `pollIntervalMs`, for up to `heldBackPollForMs`. Without a LISTEN
   * connection it polls every `pollIntervalMs`.
   */
  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    let closed = false;
    let wake: (() => void) | null = null;
    /** The newest transaction a notification named that this subscription has not yet read past, and until when to poll for it. */
    let awaited: { commit: bigint; until: number } | null = null;
    const onAppend = (payload: string | undefined) => {
      if (payload && /^\d+$/.test(payload)) {
        const commit = BigInt(payload);
        if (!awaited || commit > awaited.commit) awaited = { commit, until: 0 };
        awaited.until = Date.now() + this.heldBackPollForMs;
      }
      wake?.();
    };
    async function* run(store: PostgresEventStore): AsyncGenerator<RecordedEvent> {
      let position = options.from ?? START;
      store.appended.on('appended', onAppend);
      try {
        await store.ensureListener();
        while (!closed && !store.closed) {
          // Arm the wake-up before reading, so a notification during the read is not lost.
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const rows = await store.pageForwards(position, store.pageSize);
          for (const row of rows) {
            const event = toRecorded(row);
            position = event.position;
            if (matchesFilter(event, options.filter)) yield event;
            if (closed) return;
          }
          if (rows.length === store.pageSize) continue;
          const seen = awaited;
          if (seen && (position.commit >= seen.commit || Date.now() > seen.until)) awaited = null;
          const waitMs = awaited || !store.listener.live ? store.pollIntervalMs : store.safetyPollMs;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([woken, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
          clearTimeout(timer);
        }
      } finally {
        store.appended.off('appended', onAppend);
      }
    }
    const iterator = run(this);
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        closed = true;
        wake?.();
        // Ends the generator even when it is paused at a yield nobody will consume.
        await iterator.return(undefined);
      },
    };
  }

  /**
   * The LISTEN connection (the process's shared one) wakes live subscriptions on commit; polling covers the rest, and a
   * lost connection is reopened. Its loss wakes them too: a subscription idle for up to `safetyPollMs` would otherwise
   * sleep through the appends whose notifications went with the connection; woken, it reads and, the listener down,
   * polls every `pollIntervalMs` until it is back.
   */
  private ensureListener(): Promise<unknown> {
    if (this.closed) return Promise.resolve();
    this.offLost ??= this.listener.onLost(() => this.appended.emit('appended'));
    this.listening ??= this.listener.listen(NOTIFY_CHANNEL, (payload) => this.appended.emit('appended', payload));
    return this.listening;
  }

  async streamRevision(streamId: string): Promise<bigint | null> {
    const { rows } = await this.pool.query<{ revision: string }>('SELECT revision FROM streams WHERE stream_id = $1 AND revision >= 0', [streamId]);
    return rows.length ? BigInt(rows[0].revision) : null;
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | null> {
    const { rows } = await this.pool.query<{ metadata: SerializedMetadata | null }>('SELECT metadata FROM streams WHERE stream_id = $1', [streamId]);
    return rows.length ? deserializeMetadata(rows[0].metadata) : null;
  }

  async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    // Like EventStoreDB, metadata may be set before the stream has events (revision -1).
    await this.pool.query(
      `INSERT INTO streams (stream_id, revision, metadata) VALUES ($1, -1, $2)
       ON CONFLICT (stream_id) DO UPDATE SET metadata = EXCLUDED.metadata`,
      [streamId, JSON.stringify(serializeMetadata(metadata))],
    );
  }

  async headPosition(client: pg.Pool | pg.PoolClient = this.pool): Promise<Position | null> {
    const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    return rows.length ? { commit: BigInt(rows[0].transaction_id), prepare: BigInt(rows[0].global_position) } : null;
  }

  async countAfter(from: Position, limit: number): Promise<number> {
    const [tx, pos] = sqlPosition(from);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) LIMIT $3) t`,
      [tx, pos, limit],
    );
    return Number(rows[0].n);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM events LIMIT 0');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.appended.emit('appended');
    this.offLost?.();
    (await this.listening)?.();
    if (this.ownListener) await this.listener.close();
  }
}

/** Stream metadata as stored: bigints as strings. A row with revision -1 holds metadata of a stream with no events yet. */
interface SerializedMetadata {
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: string;
  custom?: Record<string, unknown>;
}

function serializeMetadata(m: StreamMetadata): SerializedMetadata {
  return {
    ...(m.maxAge !== undefined && { maxAge: m.maxAge }),
    ...(m.maxCount !== undefined && { maxCount: m.maxCount }),
    ...(m.truncateBefore !== undefined && { truncateBefore: m.truncateBefore.toString() }),
    ...(m.custom !== undefined && { custom: m.custom }),
  };
}

function deserializeMetadata(m: SerializedMetadata | null): StreamMetadata | null {
  if (!m) return null;
  return {
    ...(m.maxAge !== undefined && { maxAge: m.maxAge }),
    ...(m.maxCount !== undefined && { maxCount: m.maxCount }),
    ...(m.truncateBefore !== undefined && { truncateBefore: BigInt(m.truncateBefore) }),
    ...(m.custom !== undefined && { custom: m.custom }),
  };
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
