/**
 * Group commit in front of the PostgreSQL adapter: appends that arrive at the
 * same time are committed together, in one transaction with one multi-row
 * INSERT, and every caller is answered only after that COMMIT (synchronous
 * commit, as for a single append: an answer means durable).
 *
 * It is an EventStore (reads go to the wrapped adapter), so an EventLog built
 * on it encodes, validates and seals as usual and appends through the batcher.
 *
 *   submission   one appendBatch call: its requests succeed or fail together,
 *                independently of the other submissions of the group.
 *   expected revisions
 *                submissions whose requests all expect 'any' cannot fail on a
 *                revision: their streams move on in one statement. A submission
 *                with an exact revision, 'no_stream' or 'stream_exists' is checked
 *                on its own inside the group's transaction, under a savepoint,
 *                before the others; a failed check rolls back to the savepoint
 *                and fails that submission only. Submissions in one group were
 *                all in flight at once, so any order among them is a valid
 *                serial order; a caller's own successive appends never share a
 *                group (each waits for the previous answer).
 *   duplicates   'refuse' (the port's contract): an event id already in the log
 *                fails its submission with DUPLICATE_EVENT_ID. 'skip': an id
 *                already in the same stream is idempotently left out and
 *                reported in `duplicates`, so a retried request never counts
 *                twice (an id in another stream still fails). Either way one
 *                submission's duplicate never fails the others.
 *   overload     events accepted but not committed are bounded (`queueMaxEvents`):
 *                beyond it a submission is refused at once (OVERLOADED, with a
 *                retry hint) rather than queued into a timeout.
 *   shutdown     drain() refuses new submissions (SHUTTING_DOWN) and resolves
 *                once everything accepted is committed or failed; call it
 *                before the pool closes.
 *
 * One round trip: a group whose requests all expect 'any', with no event id
 * twice and no event type an inline read model acts on (the common case:
 * activity), is written by one statement outside a transaction (streams moved
 * on and events inserted together, atomically); a group with an id already in
 * the log fails that statement and is then written by the transaction below,
 * which sorts its duplicates out. Other groups: BEGIN, the duplicate check,
 * revision checks, the streams, the events, the inline read models, COMMIT.
 *
 * A group whose transaction fails as a whole (a concurrent writer inserted the
 * same new event id first, a deadlock) is tried again, and then submission by
 * submission, so one bad submission cannot fail the rest.
 *
 * Database unavailable (transient errors, libs/database): a group that could
 * not get a connection is tried again on a short schedule for up to
 * `transientRetryMs`, whatever the duplicates mode; one that lost its
 * connection mid-transaction too with 'skip' (its ids make the retry
 * idempotent even if the COMMIT had gone through). Past that, every
 * submission of the group fails with the transient error (503 to an HTTP
 * caller: nothing is acknowledged that is not committed), without the
 * pointless one-by-one retry. With 'refuse', a connection lost during COMMIT
 * leaves the outcome unknown and the caller gets the error.
 */
import { randomUUID } from 'node:crypto';
import { isTransientDatabaseError } from '@learnstream/database';
import type pg from 'pg';
import { validateAppend } from '../append-validation';
import { processAppends } from '../append-activity';
import { onlyEnvelopeFields, type EventEnvelope } from '../envelope';
import { EventStoreError, WrongExpectedRevisionError } from '../errors';
import { claimRevisions, currentRevision } from './stream-revisions';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  SubscribeToAllOptions,
  Subscription,
} from '../event-store';
import { NOTIFY_APPENDED_COLUMN, type PostgresEventStore } from './postgres-event-store';

export interface AppendBatcherOptions {
  /** Most events committed in one transaction (a submission is never split). */
  maxBatchEvents?: number;
  /** Group transactions in flight at once (each holds one pooled connection). */
  maxConcurrentCommits?: number;
  /** Events accepted and not yet committed; a submission beyond this is refused at once. */
  queueMaxEvents?: number;
  /** How long a group waits for more submissions once its first arrived; 0: only those of the same tick. */
  lingerMs?: number;
  /** Retry-After hint (seconds) carried by an OVERLOADED refusal. */
  retryAfterSeconds?: number;
  /** What an event id already in the log means: refused (the port's contract) or skipped when in the same stream. */
  duplicates?: 'refuse' | 'skip';
  /** How long a group is retried while the database is unavailable before its callers get the error. */
  transientRetryMs?: number;
}

/** Pauses between the retries of a group while the database is unavailable. */
const TRANSIENT_SCHEDULE_MS = [50, 100, 250, 500];

/** The group never got a connection: nothing of it was sent, so it is safe to retry in any mode. */
class NotConnected extends Error {
  constructor(readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** An append result that says which event ids were skipped as already in the stream ('skip' mode). */
export interface BatchedAppendResult extends AppendResult {
  duplicates: string[];
}

/** Too many events waiting to be committed: come back later (HTTP 429 with Retry-After). */
export class OverloadedError extends EventStoreError {
  constructor(readonly retryAfterSeconds: number, readonly queuedEvents: number) {
    super('OVERLOADED', `the event store is busy (${queuedEvents} events waiting to be committed): retry in ${retryAfterSeconds} s`);
  }
}

/** The batcher is draining for shutdown and takes nothing new (HTTP 503). */
export class ShuttingDownError extends EventStoreError {
  constructor() {
    super('SHUTTING_DOWN', 'the server is shutting down: retry on another instance or in a moment');
  }
}

interface Submission {
  requests: AppendRequest[];
  events: number;
  resolve: (results: BatchedAppendResult[]) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; results: BatchedAppendResult[] } | { ok: false; error: unknown };

interface ExistingEvent {
  stream_id: string;
  stream_revision: string;
  transaction_id: string;
  global_position: string;
}

/** One event to insert, with its stream revision decided. */
interface Row {
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** What a request of the group turned into: its new rows (filled in as revisions are claimed) and its duplicates. */
interface Planned {
  request: AppendRequest;
  fresh: EventToAppend[];
  duplicates: string[];
  /** Position of the latest duplicate, the answer when nothing new is appended. */
  duplicatePosition: Position | null;
  rows: Row[];
  nextExpectedRevision: bigint;
}

const TRANSIENT = /^(40001|40P01)$/;

export class AppendBatcher implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly maxBatchEvents: number;
  private readonly maxConcurrentCommits: number;
  private readonly queueMaxEvents: number;
  private readonly lingerMs: number;
  private readonly retryAfterSeconds: number;
  private readonly skipDuplicates: boolean;
  private readonly transientRetryMs: number;

  private pending: Submission[] = [];
  private pendingEvents = 0;
  /** Accepted and not yet answered: pending plus in flight. */
  private queuedEvents = 0;
  private inFlight = 0;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private idle: (() => void)[] = [];

  /** Counters for benchmarks and health: groups committed, events and submissions in them, refusals. */
  readonly stats = { groups: 0, submissions: 0, events: 0, duplicates: 0, refused: 0, retriedGroups: 0, largestGroup: 0, oneStatementGroups: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly inner: PostgresEventStore,
    options: AppendBatcherOptions = {},
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 5000;
    this.maxConcurrentCommits = options.maxConcurrentCommits ?? 2;
    this.queueMaxEvents = options.queueMaxEvents ?? 50_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.skipDuplicates = options.duplicates === 'skip';
    this.transientRetryMs = options.transientRetryMs ?? 2000;
  }

  /** Events accepted and not yet committed. */
  get backlog(): number {
    return this.queuedEvents;
  }

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<BatchedAppendResult> {
    const [result] = await this.appendBatch([{ streamId, events, expectedRevision: options.expectedRevision ?? 'any' }]);
    return result;
  }

  appendBatch(requests: AppendRequest[]): Promise<BatchedAppendResult[]> {
    try {
      for (const r of requests) validateAppend(r.streamId, r.events);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.draining) return Promise.reject(new ShuttingDownError());
    processAppends.noteAppend();
    const events = requests.reduce((n, r) => n + r.events.length, 0);
    // Bounded: refuse at once when full. A submission larger than the whole queue is taken when the queue is empty.
    if (this.queuedEvents > 0 && this.queuedEvents + events > this.queueMaxEvents) {
      this.stats.refused += 1;
      return Promise.reject(new OverloadedError(this.retryAfterSeconds, this.queuedEvents));
    }
    return new Promise<BatchedAppendResult[]>((resolve, reject) => {
      // Ids are fixed now, so that a group tried again writes the same events.
      const fixed = requests.map((r) => ({ ...r, events: r.events.map((e) => (e.id ? e : { ...e, id: randomUUID() })) }));
      this.pending.push({ requests: fixed, events, resolve, reject });
      this.pendingEvents += events;
      this.queuedEvents += events;
      this.schedule();
    });
  }

  /** Refuses new submissions and waits until every accepted one is answered. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
      this.scheduled = false;
      this.schedule(true);
    }
    if (this.queuedEvents === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(now = false): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.maxConcurrentCommits) return;
    this.scheduled = true;
    if (!now && this.lingerMs > 0 && !this.draining && this.pendingEvents < this.maxBatchEvents) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        this.scheduled = false;
        this.startGroups();
      }, this.lingerMs);
    } else {
      // What arrives in the same turn of the event loop joins the group.
      setImmediate(() => {
        this.scheduled = false;
        this.startGroups();
      });
    }
  }

  private startGroups(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxConcurrentCommits) {
      const group: Submission[] = [];
      let size = 0;
      while (this.pending.length > 0 && (group.length === 0 || size + this.pending[0].events <= this.maxBatchEvents)) {
        const s = this.pending.shift()!;
        size += s.events;
        group.push(s);
      }
      this.pendingEvents -= size;
      this.inFlight += 1;
      void this.run(group).finally(() => {
        this.inFlight -= 1;
        this.queuedEvents -= size;
        if (this.pending.length > 0) this.schedule();
        else if (this.inFlight === 0 && this.queuedEvents === 0) this.wakeIdle();
      });
    }
  }

  private wakeIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Commits a group; answers each submission. Never throws. */
  private async run(group: Submission[]): Promise<void> {
    const outcomes = await this.commitWithRetries(group);
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i].resolve(outcome.results) : group[i].reject(outcome.error)));
  }

  private async commitWithRetries(group: Submission[]): Promise<Outcome[]> {
    const deadline = Date.now() + this.transientRetryMs;
    for (let attempt = 1, unavailable = 0; ; attempt++) {
      try {
        const outcomes = await this.commitGroup(group);
        this.stats.groups += 1;
        this.stats.submissions += group.length;
        this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
        return outcomes;
      } catch (thrown) {
        const error = thrown instanceof NotConnected ? thrown.error : thrown;
        if (attempt < 3 && isRetryable(error)) {
          this.stats.retriedGroups += 1;
          continue;
        }
        if (isTransientDatabaseError(error)) {
          const pause = TRANSIENT_SCHEDULE_MS[Math.min(unavailable++, TRANSIENT_SCHEDULE_MS.length - 1)];
          const safe = thrown instanceof NotConnected || this.skipDuplicates;
          if (safe && Date.now() + pause <= deadline) {
            this.stats.retriedGroups += 1;
            await new Promise((r) => setTimeout(r, pause));
            continue;
          }
          // The database is unavailable: every submission gets the error (none of them is at fault).
          return group.map(() => ({ ok: false, error }));
        }
        if (group.length === 1) return [{ ok: false, error: translate(error) }];
        // Whatever failed the whole group: each submission on its own, so one cannot fail the others.
        const outcomes: Outcome[] = [];
        for (const s of group) outcomes.push(...(await this.commitWithRetries([s])));
        return outcomes;
      }
    }
  }

  /**
   * One transaction for the whole group. Returns each submission's outcome
   * (a failed revision check or a refused duplicate fails its own submission);
   * throws when the transaction itself failed (nothing of the group is committed).
   */
  private async commitGroup(group: Submission[]): Promise<Outcome[]> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new NotConnected(error);
    }
    let broken: Error | undefined;
    if (this.fitsOneStatement(group)) {
      let outcomes: Outcome[] | undefined;
      try {
        outcomes = await this.insertGroup(client, group);
      } catch (error) {
        // An id already in the log (a retried request): nothing was written; the transaction below sorts the group out.
        if (!isDuplicateEventId(error)) {
          client.release(isTransientDatabaseError(error) ? (error as Error) : undefined);
          throw error;
        }
      }
      if (outcomes) {
        client.release();
        return outcomes;
      }
    }
    try {
      await client.query('BEGIN');
      const outcomes = await this.writeGroup(client, group);
      await client.query('COMMIT');
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Whether the group can be written by one statement outside a transaction
   * (insertGroup): every request expects 'any', no event id comes twice in the
   * group, and no inline read model acts on its event types.
   */
  private fitsOneStatement(group: Submission[]): boolean {
    const inline = this.inner.inTransaction;
    const ids = new Set<string>();
    let count = 0;
    for (const s of group) {
      for (const r of s.requests) {
        if (r.expectedRevision !== 'any') return false;
        if (r.events.length === 0) return false;
        for (const e of r.events) {
          if (inline && (!inline.types || inline.types.has(e.type))) return false;
          ids.add(e.id!);
          count++;
        }
      }
    }
    return count > 0 && ids.size === count;
  }

  /**
   * The common case of a group in one round trip: one statement (atomic on
   * its own) moves every stream on and inserts every event, each stream's
   * revisions handed out in group order. An event id already in the log fails
   * the statement as a whole (unique violation), and nothing is written.
   * The rows are read by jsonb_to_recordset: json_to_recordset cost about
   * 0.1 ms of PostgreSQL time a row (EXPLAIN ANALYZE, 100 activity events:
   * 8-14 ms against 0.6-0.8 ms), most of the statement's time.
   */
  private async insertGroup(client: pg.PoolClient, group: Submission[]): Promise<Outcome[]> {
    const inStream = new Map<string, number>();
    const shared = new SharedMetadata();
    const last: string[] = [];
    let ord = 0;
    let json = '[';
    for (const s of group) {
      for (const r of s.requests) {
        for (const e of r.events) {
          const k = inStream.get(r.streamId) ?? 0;
          inStream.set(r.streamId, k + 1);
          // Named fields (a spread made each row an object with slow properties); `p` undefined is left out by JSON.
          const { m, p } = shared.of(e.metadata);
          const row = { ord, stream_id: r.streamId, k, event_id: e.id!, event_type: e.type, data: e.data, m, p };
          json += (ord++ ? ',' : '') + JSON.stringify(row);
        }
        last.push(r.events[r.events.length - 1].id!);
      }
    }
    json += ']';
    // Only the last event of each request comes back (its revision and position are the answer), with the notification.
    const { rows: inserted } = await client.query<{ event_id: string; stream_revision: string; transaction_id: string; global_position: string }>(
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, stream_id text, k bigint, event_id uuid, event_type text, data jsonb, m int, p int)
       ), counts AS (
         SELECT stream_id, count(*) AS n FROM r GROUP BY stream_id
       ), claimed AS (
         INSERT INTO streams (stream_id, revision)
         SELECT stream_id, n - 1 FROM counts ORDER BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + EXCLUDED.revision + 1
         RETURNING stream_id, revision
       ), inserted AS (
         INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
         SELECT r.stream_id, c.revision - counts.n + 1 + r.k, r.event_id, r.event_type, r.data, ${SharedMetadata.SQL}
         FROM r JOIN claimed c USING (stream_id) JOIN counts USING (stream_id)
         ORDER BY r.ord
         RETURNING event_id, stream_revision, transaction_id, global_position
       )
       SELECT event_id, stream_revision, transaction_id, global_position, ${NOTIFY_APPENDED_COLUMN} FROM inserted WHERE event_id = ANY($3::uuid[])`,
      [json, shared.json(), last],
    );
    const byId = new Map(inserted.map((r) => [r.event_id, r]));
    this.stats.events += ord;
    this.stats.oneStatementGroups += 1;
    return group.map((s): Outcome => ({
      ok: true,
      results: s.requests.map((r) => {
        const row = byId.get(r.events[r.events.length - 1].id!.toLowerCase())!;
        return { nextExpectedRevision: BigInt(row.stream_revision), position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) }, duplicates: [] };
      }),
    }));
  }

  private async writeGroup(client: pg.PoolClient, group: Submission[]): Promise<Outcome[]> {
    // 1. Event ids already in the log (a retried request), found with one index lookup.
    const ids = group.flatMap((s) => s.requests.flatMap((r) => r.events.map((e) => e.id!)));
    const existing = new Map<string, ExistingEvent>();
    const { rows: found } = await client.query<ExistingEvent & { event_id: string }>(
      'SELECT event_id, stream_id, stream_revision, transaction_id, global_position FROM events WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    for (const row of found) existing.set(row.event_id, row);

    const outcomes: (Outcome | null)[] = group.map(() => null);
    const plans: (Planned[] | null)[] = group.map(() => null);
    /** Ids taken by submissions of this group already accepted, with their stream. */
    const taken = new Map<string, string>();

    const plan = (s: Submission): Planned[] => {
      const out: Planned[] = [];
      const mine = new Map<string, string>();
      for (const request of s.requests) {
        const p: Planned = { request, fresh: [], duplicates: [], duplicatePosition: null, rows: [], nextExpectedRevision: -1n };
        for (const e of request.events) {
          const id = e.id!;
          const before = existing.get(id);
          const stream = before?.stream_id ?? taken.get(id) ?? mine.get(id);
          if (stream === undefined) {
            mine.set(id, request.streamId);
            p.fresh.push(e);
          } else if (this.skipDuplicates && stream === request.streamId) {
            p.duplicates.push(id);
            if (before) {
              const position = { commit: BigInt(before.transaction_id), prepare: BigInt(before.global_position) };
              if (!p.duplicatePosition || position.commit > p.duplicatePosition.commit || (position.commit === p.duplicatePosition.commit && position.prepare > p.duplicatePosition.prepare)) {
                p.duplicatePosition = position;
              }
            }
          } else {
            throw new EventStoreError('DUPLICATE_EVENT_ID', `an event with id ${id} is already in the log`);
          }
        }
        out.push(p);
      }
      for (const [id, stream] of mine) taken.set(id, stream);
      return out;
    };

    // 2. Submissions with a revision to check, one by one under a savepoint.
    for (let i = 0; i < group.length; i++) {
      const s = group[i];
      if (s.requests.every((r) => r.expectedRevision === 'any')) continue;
      let planned: Planned[];
      try {
        planned = plan(s);
      } catch (error) {
        outcomes[i] = { ok: false, error };
        continue;
      }
      await client.query('SAVEPOINT checked');
      try {
        for (const p of planned) {
          // A request whose events are all already in its stream was done before: idempotent, no check.
          if (p.fresh.length === 0 && p.duplicates.length > 0) {
            p.nextExpectedRevision = await currentRevision(client, p.request.streamId);
            continue;
          }
          const revision = await claimRevisions(client, p.request.streamId, p.request.expectedRevision, p.fresh.length);
          assignRevisions(p, revision);
        }
        await client.query('RELEASE SAVEPOINT checked');
        plans[i] = planned;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT checked');
        // Its ids are free again for the rest of the group.
        for (const p of planned) for (const e of p.fresh) taken.delete(e.id!);
        outcomes[i] = { ok: false, error };
      }
    }

    // 3. Submissions of 'any' appends: every stream moves on in one statement.
    const counts = new Map<string, number>();
    const anyPlans: Planned[] = [];
    for (let i = 0; i < group.length; i++) {
      if (outcomes[i] || plans[i]) continue;
      try {
        plans[i] = plan(group[i]);
      } catch (error) {
        outcomes[i] = { ok: false, error };
        continue;
      }
      for (const p of plans[i]!) {
        anyPlans.push(p);
        counts.set(p.request.streamId, (counts.get(p.request.streamId) ?? 0) + p.fresh.length);
      }
    }
    const claimed = new Map<string, bigint>();
    const moving = [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (moving.length) {
      // Sorted by stream: concurrent groups lock stream rows in the same order.
      const { rows } = await client.query<{ stream_id: string; revision: string }>(
        `INSERT INTO streams (stream_id, revision)
         SELECT s, n - 1 FROM unnest($1::text[], $2::bigint[]) AS t(s, n)
         ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + EXCLUDED.revision + 1
         RETURNING stream_id, revision`,
        [moving.map(([s]) => s), moving.map(([, n]) => n)],
      );
      for (const r of rows) claimed.set(r.stream_id, BigInt(r.revision));
    }
    const still = [...counts].filter(([, n]) => n === 0).map(([s]) => s);
    if (still.length) {
      const { rows } = await client.query<{ stream_id: string; revision: string }>('SELECT stream_id, revision FROM streams WHERE stream_id = ANY($1::text[])', [still]);
      for (const s of still) claimed.set(s, -1n);
      for (const r of rows) claimed.set(r.stream_id, BigInt(r.revision));
    }
    // Each stream's new revisions are handed out to its requests in group order.
    const next = new Map<string, bigint>();
    for (const [s, n] of counts) next.set(s, claimed.get(s)! - BigInt(n) + 1n);
    for (const p of anyPlans) {
      const first = next.get(p.request.streamId)!;
      next.set(p.request.streamId, first + BigInt(p.fresh.length));
      assignRevisions(p, first + BigInt(p.fresh.length) - 1n);
      if (p.fresh.length === 0) p.nextExpectedRevision = claimed.get(p.request.streamId)!;
    }

    // 4. Every new event of the group in one INSERT.
    const rows = plans.flatMap((planned) => (planned ?? []).flatMap((p) => p.rows));
    const positions = new Map<string, Position>();
    if (rows.length) {
      const { rows: inserted } = await client.query<{ event_id: string; transaction_id: string; global_position: string; recorded_at: Date }>(
        `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
         SELECT r.stream_id, r.stream_revision, r.event_id, r.event_type, r.data, r.metadata
         FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, stream_revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb)
         RETURNING event_id, transaction_id, global_position, recorded_at, ${NOTIFY_APPENDED_COLUMN}`,
        [JSON.stringify(rows)],
      );
      for (const r of inserted) positions.set(r.event_id, { commit: BigInt(r.transaction_id), prepare: BigInt(r.global_position) });
      const inline = this.inner.inTransaction;
      if (inline) {
        const recordedAt = new Map(inserted.map((r) => [r.event_id, r.recorded_at]));
        const appended: RecordedEvent[] = rows.map((r) => ({
          id: r.event_id,
          type: r.event_type,
          streamId: r.stream_id,
          revision: BigInt(r.stream_revision),
          position: positions.get(r.event_id.toLowerCase())!,
          data: r.data,
          metadata: r.metadata,
          recordedAt: recordedAt.get(r.event_id.toLowerCase())!,
        }));
        appended.sort((a, b) => (a.position.prepare < b.position.prepare ? -1 : a.position.prepare > b.position.prepare ? 1 : 0));
        await inline(client, appended);
      }
    }
    this.stats.events += rows.length;

    let head: Position | null | undefined;
    return Promise.all(
      group.map(async (_, i): Promise<Outcome> => {
        if (outcomes[i]) return outcomes[i]!;
        const results: BatchedAppendResult[] = [];
        for (const p of plans[i]!) {
          this.stats.duplicates += p.duplicates.length;
          let position = p.fresh.length ? positions.get(p.fresh[p.fresh.length - 1].id!)! : p.duplicatePosition;
          if (!position) position = (head ??= await this.inner.headPosition(client)) ?? { commit: -1n, prepare: -1n };
          results.push({ nextExpectedRevision: p.nextExpectedRevision, position, duplicates: p.duplicates });
        }
        return { ok: true, results };
      }),
    );
  }

  // Reads and the rest go to the adapter.
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return this.inner.readStream(streamId, options);
  }
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.inner.readAll(options);
  }
  subscribeToAll(options?: SubscribeToAllOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }
  streamRevision(streamId: string): Promise<bigint | null> {
    return this.inner.streamRevision(streamId);
  }
  getStreamMetadata(streamId: string): Promise<StreamMetadata | null> {
    return this.inner.getStreamMetadata(streamId);
  }
  setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    return this.inner.setStreamMetadata(streamId, metadata);
  }
  headPosition(): Promise<Position | null> {
    return this.inner.headPosition();
  }
  countAfter(from: Position, limit: number): Promise<number> {
    return this.inner.countAfter(from, limit);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  /** Drains; the wrapped adapter and the pool belong to whoever made them. */
  close(): Promise<void> {
    return this.drain();
  }
}

/**
 * What the events of a group repeat, sent once beside the rows ($2, a JSON
 * array), each row naming its parts by index: its metadata object (EventLog
 * gives the events of one envelope one metadata object) without the sealed IP
 * and user agent, and that pair (one sealed object each for all the events of a
 * request: PersonalDataCipher.sealMany seals a value once per key), which also
 * repeats across metadata objects. The statement puts the parts together again
 * (SQL), so that what is stored is the metadata as given. Sent whole per event,
 * metadata was most of an activity event's JSON, serialised and parsed again
 * for every event.
 */
class SharedMetadata {
  /** The row's metadata, whole again: `r.m` and `r.p` index the parts sent as $2. */
  static readonly SQL = 'CASE WHEN r.p IS NULL THEN $2::jsonb -> r.m ELSE ($2::jsonb -> r.m) || ($2::jsonb -> r.p) END';
  private readonly parts: object[] = [];
  private readonly metadata = new Map<object, { m: number; p?: number }>();
  private readonly pairs = new Map<object, Map<object, number>>();

  /** The indexes of the row's parts (the same for every event of one metadata object). */
  of(metadata: Record<string, unknown>): { m: number; p?: number } {
    let indexes = this.metadata.get(metadata);
    if (!indexes) {
      const { ip, userAgent } = metadata;
      if (isObject(ip) && isObject(userAgent)) indexes = { m: this.add(withoutRequest(metadata)), p: this.pair(ip, userAgent) };
      else indexes = { m: this.add(metadata) };
      this.metadata.set(metadata, indexes);
    }
    return indexes;
  }

  json(): string {
    return JSON.stringify(this.parts);
  }

  private pair(ip: object, userAgent: object): number {
    let byAgent = this.pairs.get(ip);
    if (!byAgent) this.pairs.set(ip, (byAgent = new Map()));
    let index = byAgent.get(userAgent);
    if (index === undefined) byAgent.set(userAgent, (index = this.add({ ip, userAgent })));
    return index;
  }

  private add(part: object): number {
    return this.parts.push(part) - 1;
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The metadata without its IP and user agent. An envelope's (EventLog's metadata) is made field by field: a copy by
 * rest destructuring is an object V8 keeps with slow properties, slower to make and to serialise, one per row of a
 * bulk import (whose rows each have their own time, so their own metadata object).
 */
function withoutRequest(metadata: Record<string, unknown>): Record<string, unknown> {
  if (onlyEnvelopeFields(metadata)) {
    const { occurredAt, actorId, realActorId, courseId, schoolId, action, crud, object, relatedUserId, origin, correlationId, causationId, schemaVersion } = metadata as unknown as EventEnvelope;
    return { occurredAt, actorId, realActorId, courseId, schoolId, action, crud, object, relatedUserId, origin, correlationId, causationId, schemaVersion };
  }
  const { ip: _ip, userAgent: _userAgent, ...rest } = metadata;
  return rest;
}

function assignRevisions(p: Planned, lastRevision: bigint): void {
  p.nextExpectedRevision = lastRevision;
  const first = lastRevision - BigInt(p.fresh.length) + 1n;
  p.rows = p.fresh.map((e, k) => ({
    stream_id: p.request.streamId,
    stream_revision: (first + BigInt(k)).toString(),
    event_id: e.id!,
    event_type: e.type,
    data: e.data,
    metadata: e.metadata,
  }));
}


/** A concurrent writer inserted the same new event id first (then the group sees it as existing), a deadlock, a serialization failure. */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return (e.code === '23505' && e.constraint === 'events_event_id_key') || TRANSIENT.test(e.code ?? '');
}

function isDuplicateEventId(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'events_event_id_key';
}

function translate(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === 'events_event_id_key') return new EventStoreError('DUPLICATE_EVENT_ID', 'an event with this id is already in the log');
  return error;
}
