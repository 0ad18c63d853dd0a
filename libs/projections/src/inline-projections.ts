/**
 * Inline read models (DESIGN.md, "two kinds"): what commands and the access
 * policy decide on — accounts, schools, memberships, parent links, courses
 * with their staff, enrolments — is written in the same transaction as the
 * append that changes it, so a decision always reads what was written (the
 * inline projections of Marten and Emmett).
 *
 * PostgreSQL event store: `attach()` first catches each inline read model up
 * with the log (an existing database whose read model was asynchronous until
 * now; a rebuild) and then hands it to the appends: every append of this
 * process (single appends and the group commit) applies the events it
 * carries, on its own connection, before COMMIT. The checkpoint row is marked
 * `inline` and no longer moves; the async runner leaves these projections
 * alone. Appends of inline event types take a shared advisory lock; the last
 * step of a catch-up, and a rebuild, take it exclusively, so that they never
 * interleave with a live append.
 *
 * The catch-up is bounded: batches of `batchSize` events, each in its own
 * transaction with its checkpoint (a long log never holds one transaction, and
 * with it every reader's xmin horizon, open for minutes), read below the
 * stable line; only the last short stretch runs under the exclusive lock,
 * where the read models are marked inline. When it is more than one batch,
 * the HTTP process (`background`) listens meanwhile and refuses what would
 * read these read models with 503 CATCHING_UP (`catchingUp`).
 *
 * A rebuild is the same catch-up: one short transaction under the exclusive
 * lock empties the read model and unmarks it, then the batches replay the
 * log into it and the last stretch marks it inline again. Meanwhile the
 * process running it answers 503 CATCHING_UP, and every append (of any
 * process) leaves that read model alone: the statement that takes the shared
 * lock also says which read models are not inline now (`inline_append_lock`),
 * so an append never writes into a read model that the log is being replayed
 * into, and the last stretch picks its events up.
 *
 * EventStoreDB: no transaction spans EventStoreDB and PostgreSQL. There the
 * same projections stay asynchronous (run by the ProjectionRunner, with their
 * checkpoints), and the EventLog waits after each append of one of their
 * event types until they have applied it (`readYourWrites`), so a command's
 * next decision still sees it; a crash between the append and the projection
 * is repaired by the runner's catch-up. See README, "Inline read models".
 */
import { Logger } from '@nestjs/common';
import { PostgresEventStore, positionToString, START, toRecorded, type EventLog, type EventRow, type Position, type RecordedEvent } from '@learnstream/event-store';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { applySteps, decodeFor, stepsOf } from './apply-events';
import { SUBJECT_ERASED, type Projection } from './projection';

/** Advisory lock key of the inline read models ('LSIN'): shared by appends, exclusive for the end of a catch-up or a rebuild. */
export const INLINE_LOCK = 0x4c53494e;

/** Pauses of a background catch-up that failed before it tries again (the database away, a bug being fixed). */
const RETRY_MS = [250, 1000, 5000];

/** A row of a page: the stable line it was read below (null under the exclusive lock), and one of its events of the read model's types (none: nulls). */
type PageRow = { stable_line: string | null } & Nullable<EventRow>;
type Nullable<T> = { [K in keyof T]: T[K] | null };

/** A page of a catch-up reads at most this many batches of the log (of every type) to find one batch of a read model's events. */
const WINDOW_BATCHES = 50;

/**
 * `detached`: not ours (before attach, EventStoreDB); `catching-up`: ours, the
 * catch-up still running, requests that read them refused; `attached`: written
 * by every append of this process.
 */
export type InlineState = 'detached' | 'catching-up' | 'attached';

export class InlineProjections {
  private readonly logger = new Logger('InlineProjections');
  readonly projections: readonly Projection[];
  private readonly types: Set<string>;
  private state: InlineState = 'detached';
  private background: Promise<void> | null = null;
  private stopping = false;
  /** Read models this process is rebuilding (emptied, the log being replayed into them in batches). */
  private readonly rebuilding = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventLog: EventLog,
    all: readonly Projection[],
    private readonly batchSize = 1000,
  ) {
    this.projections = all.filter((p) => p.inline);
    this.types = new Set([SUBJECT_ERASED, ...this.projections.flatMap((p) => (p.eventTypes === '*' ? [] : p.eventTypes))]);
    if (this.projections.some((p) => p.eventTypes === '*')) throw new Error('an inline projection must list its event types');
  }

  /** Whether the appends of this process write the inline read models (PostgreSQL event store, after the catch-up). */
  get active(): boolean {
    return this.state === 'attached';
  }

  /** Whether these read models are this process's to write (catching up or attached): the async runner leaves them alone. */
  get owned(): boolean {
    return this.state !== 'detached';
  }

  /** Whether the start-up catch-up or a rebuild is running: what reads these read models must wait (503 CATCHING_UP). */
  get catchingUp(): boolean {
    return this.state === 'catching-up' || this.rebuilding.size > 0;
  }

  /** Settles when the catch-up is over (at once when there is none running). */
  async caughtUp(): Promise<void> {
    await this.background;
  }

  names(): string[] {
    return this.projections.map((p) => p.name);
  }

  /** Whether an append of these event types changes an inline read model. */
  touches(types: Iterable<string>): boolean {
    for (const t of types) if (this.types.has(t)) return true;
    return false;
  }

  /**
   * PostgreSQL: catches the inline read models up and has every later append
   * of this process write them. Returns false (nothing done) on EventStoreDB.
   * With `background` (the HTTP process), a catch-up longer than one batch per
   * read model goes on after this returns, and `catchingUp` says so until it
   * is over; without it (projector, CLI), this returns when it is over.
   */
  async attach({ background = false }: { background?: boolean } = {}): Promise<boolean> {
    const store = this.eventLog.store;
    if (!(store instanceof PostgresEventStore) || this.projections.length === 0) return false;
    this.state = 'catching-up';
    this.stopping = false;
    // From now on every append of an inline type takes the shared lock: the catch-up's last step waits for those in flight.
    store.inTransaction = Object.assign((client: pg.PoolClient, appended: RecordedEvent[]) => this.apply(client, appended), { types: this.types });
    try {
      if (!(await this.catchUpRound())) {
        if (!background) await this.catchUp();
        else {
          this.logger.log({ msg: 'catching the inline read models up in the background; requests that read them get 503 CATCHING_UP meanwhile' });
          this.background = this.catchUpUntilDone();
          return true;
        }
      }
      await this.finish();
    } catch (error) {
      this.detach();
      throw error;
    }
    return true;
  }

  /** Stops a background catch-up at its next batch (shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.background;
  }

  detach(): void {
    const store = this.eventLog.store;
    if (store instanceof PostgresEventStore && this.state !== 'detached') store.inTransaction = null;
    this.state = 'detached';
  }

  /**
   * In an append's transaction: applies the events of inline types it carries
   * to the read models that are written inline now. Those being caught up or
   * rebuilt (here or by another process) are left to their catch-up, which
   * reads these events from the log (its last step waits for this transaction).
   */
  private async apply(client: pg.PoolClient, appended: RecordedEvent[]): Promise<void> {
    const relevant = appended.filter((r) => this.types.has(r.type));
    if (relevant.length === 0) return;
    const { rows } = await client.query<{ behind: string[] }>('SELECT inline_append_lock($1, $2) AS behind', [INLINE_LOCK, this.names()]);
    if (this.state !== 'attached') return;
    const behind = new Set(rows[0].behind);
    const current = behind.size ? this.projections.filter((p) => !behind.has(p.name)) : this.projections;
    if (current.length === 0) return;
    await this.applyRecords(this.managerOn(client), relevant, current, (records) => this.eventLog.decodeAppended(records));
  }

  private async applyRecords(tx: EntityManager, records: RecordedEvent[], projections: readonly Projection[], open?: (r: RecordedEvent[]) => ReturnType<EventLog['decode']>): Promise<void> {
    const decoded = await decodeFor(projections, this.eventLog, records, open);
    for (const p of projections) await applySteps(p, stepsOf(p, this.eventLog, records, decoded.get(p)!), tx);
  }

  /** A TypeORM EntityManager on the append's own connection (its transaction is the append's; nothing here begins or ends one). */
  private managerOn(client: pg.PoolClient): EntityManager {
    const runner = this.dataSource.createQueryRunner();
    (runner as unknown as { databaseConnection: pg.PoolClient }).databaseConnection = client;
    return runner.manager;
  }

  /** Brings the inline read models not yet marked inline up to the log's head in bounded batches, then marks them. */
  async catchUp(): Promise<void> {
    while (!(await this.catchUpRound())) if (this.stopping) return;
  }

  /** The background catch-up: tries again after a failure until it is over or the process stops. */
  private async catchUpUntilDone(): Promise<void> {
    for (let failures = 0; !this.stopping; ) {
      try {
        await this.catchUp();
        if (this.stopping) return;
        await this.finish();
        this.logger.log({ msg: 'inline read models caught up: requests are answered' });
        return;
      } catch (error) {
        const pause = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)];
        this.logger.error({ msg: 'inline read models catch-up failing; retrying', error: error instanceof Error ? error.message : String(error), retryInMs: pause });
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /**
   * One batch for each read model not yet marked inline, each in its own
   * transaction with its checkpoint. True when none had a full batch (what is
   * left is for `finish`).
   */
  private async catchUpRound(): Promise<boolean> {
    await this.ensureCheckpoints();
    const rows: { name: string }[] = await this.dataSource.query('SELECT name FROM projection_checkpoints WHERE name = ANY($1) AND NOT inline', [this.names()]);
    let done = true;
    for (const { name } of rows) {
      if (this.stopping) return false;
      const p = this.projections.find((x) => x.name === name)!;
      const full = await this.dataSource.transaction(async (tx) => {
        // Locked: two processes catching up at once take turns, and never apply a batch twice.
        const [row]: { position_commit: string; position_prepare: string; inline: boolean }[] = await tx.query(
          'SELECT position_commit, position_prepare, inline FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
          [name],
        );
        if (row.inline) return false;
        const page = await this.page(tx, p, checkpointOf(row), { stable: true });
        if (!page) return false;
        const handled = page.records.length ? await this.applyPage(tx, p, page.records) : 0;
        const last = page.end;
        await tx.query('UPDATE projection_checkpoints SET position_commit = $2, position_prepare = $3, events_handled = events_handled + $4, updated_at = now() WHERE name = $1', [
          name,
          last.commit.toString(),
          last.prepare.toString(),
          handled,
        ]);
        return page.full;
      });
      if (full) done = false;
    }
    return done;
  }

  /**
   * The last stretch, under the exclusive lock: what the batches left (events
   * above the stable line, and those appended meanwhile), then the read models
   * are marked inline and this process's appends write them from the next one on.
   */
  private async finish(): Promise<void> {
    const attached = this.state === 'attached';
    try {
      await this.exclusively(async (tx) => {
        const rows: { name: string; position_commit: string; position_prepare: string }[] = await tx.query(
          'SELECT name, position_commit, position_prepare FROM projection_checkpoints WHERE name = ANY($1) AND NOT inline FOR UPDATE',
          [this.names()],
        );
        for (const row of rows) {
          const p = this.projections.find((x) => x.name === row.name)!;
          const from = checkpointOf(row);
          const handled = await this.replay(tx, p, from);
          await tx.query('UPDATE projection_checkpoints SET inline = true, rebuild_started_at = NULL, events_handled = events_handled + $2, updated_at = now() WHERE name = $1', [p.name, handled]);
          this.logger.log({ msg: 'read model is now written inline', projection: p.name, from: positionToString(from), lastStretch: handled });
        }
        // Before COMMIT: an append waiting for the shared lock gets it only after the commit, and then writes them.
        this.state = 'attached';
      });
    } catch (error) {
      if (this.state === 'attached' && !attached) this.state = 'catching-up';
      throw error;
    }
  }

  /**
   * Empties an inline read model and replays the log into it as the start-up
   * catch-up does: emptied and unmarked in one short transaction under the
   * exclusive lock, then bounded batches (each with its checkpoint), then the
   * last stretch under the exclusive lock marks it inline again. This process
   * answers 503 CATCHING_UP until then. A rebuild cut short (a crash) leaves
   * the read model unmarked: the next start of a process finishes it.
   */
  async rebuild(name: string): Promise<void> {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new Error(`${name} is not an inline read model`);
    this.rebuilding.add(name);
    try {
      await this.exclusively(async (tx) => {
        await p.reset(tx);
        await tx.query('DELETE FROM projection_dead_letters WHERE projection = $1', [name]);
        await tx.query(
          `UPDATE projection_checkpoints SET inline = false, position_commit = -1, position_prepare = -1, generation = generation + 1, events_handled = 0,
             rebuild_started_at = now(), updated_at = now() WHERE name = $1`,
          [name],
        );
      });
      this.logger.log({ msg: 'inline read model rebuild started', projection: name });
      while (!(await this.catchUpRound()));
      await this.finish();
    } finally {
      this.rebuilding.delete(name);
    }
    this.logger.log({ msg: 'inline read model rebuilt', projection: name });
  }

  private async ensureCheckpoints(): Promise<void> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [this.names()]);
  }

  private async exclusively(work: (tx: EntityManager) => Promise<void>): Promise<void> {
    await this.ensureCheckpoints();
    await this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INLINE_LOCK]);
      await work(tx);
    });
  }

  /**
   * Applies the projection's events after `from`, in log order, page by page
   * in the caller's transaction. Under the exclusive lock every event of an
   * inline type is committed (their appends hold the shared lock), so the
   * whole table is read, not only below the stable line of the subscriptions.
   */
  private async replay(tx: EntityManager, p: Projection, from: Position): Promise<number> {
    let position = from;
    let handled = 0;
    for (;;) {
      const page = await this.page(tx, p, position, { stable: false });
      if (!page) return handled;
      if (page.records.length) handled += await this.applyPage(tx, p, page.records);
      position = page.end;
      if (!page.full) return handled;
    }
  }

  /**
   * The projection's events (and erasures) in the next window of the log after
   * `from`: at most one batch of them, from at most WINDOW_BATCHES batches of
   * the log's events of every type. Null when the log has nothing after `from`.
   * `end` is where the checkpoint goes: the last event returned when the batch
   * is full, else the window's last event (the read model passes the others);
   * `full` when there may be more after it. (Filtering the whole rest of the
   * log by type instead, for read models whose events are rare, read it to its
   * end for every batch: 136 s of database time for the inline catch-up of a
   * 1,000,000-event term.) `stable`: only below the stable line (no
   * transaction still running can commit there), for a batch that does not
   * hold the exclusive lock.
   */
  private async page(tx: EntityManager, p: Projection, from: Position, { stable }: { stable: boolean }): Promise<{ records: RecordedEvent[]; end: Position; full: boolean } | null> {
    const types = [SUBJECT_ERASED, ...(p.eventTypes as readonly string[])];
    const [c, q] = from.commit < 0n ? ['0', '-1'] : [from.commit.toString(), from.prepare.toString()];
    const window = this.batchSize * WINDOW_BATCHES;
    // The window in log order, read only as far as it takes to fill the batch: a read model whose events are frequent
    // (assessments: one event in eight) gets its batch from the first few thousand rows, not after reading the whole window.
    // $3 of the second statement: the stable line the first one saw (it must not see a window that grew since).
    const after = (line: string) => `FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) ${line}`;
    const windowOf = (line: string) => `SELECT transaction_id, global_position, event_type ${after(line)} ORDER BY transaction_id, global_position LIMIT ${window}`;
    const rows: PageRow[] = await tx.query(
      `WITH line AS (SELECT ${stable ? 'pg_snapshot_xmin(pg_current_snapshot())' : 'NULL::xid8'} AS xmin),
       r AS (SELECT w.transaction_id, w.global_position FROM (${windowOf(stable ? 'AND transaction_id < (SELECT xmin FROM line)' : '')}) AS w
             WHERE w.event_type = ANY($3) ORDER BY w.transaction_id, w.global_position LIMIT ${this.batchSize})
       SELECT line.xmin AS stable_line, e.transaction_id, e.global_position, e.stream_id, e.stream_revision, e.event_id, e.event_type, e.data, e.metadata, e.recorded_at
       FROM line LEFT JOIN (r JOIN events e USING (transaction_id, global_position)) ON true
       ORDER BY e.transaction_id, e.global_position`,
      [c, q, types],
    );
    // The line's own row has no event when none of the read model's types is in the window.
    const records = rows.filter((r): r is PageRow & EventRow => r.event_id !== null).map(toRecorded);
    if (records.length === this.batchSize) return { records, end: records[records.length - 1].position, full: true };
    // Fewer: the whole window was read; where it ends, and whether it was whole (then there may be more after it): its
    // last place when the log has that many events after `from` (whole), else the log's last event (not whole). Positions
    // only, from the key: neither counts the window nor reads it into a temporary file again.
    const line = stable ? 'AND transaction_id < $3::xid8' : '';
    const [last]: { transaction_id: string; global_position: string; whole: boolean }[] = await tx.query(
      `WITH edge AS (SELECT transaction_id, global_position ${after(line)} ORDER BY transaction_id, global_position OFFSET ${window - 1} LIMIT 1)
       SELECT transaction_id, global_position, true AS whole FROM edge
       UNION ALL
       (SELECT transaction_id, global_position, false ${after(line)} AND NOT EXISTS (SELECT 1 FROM edge) ORDER BY transaction_id DESC, global_position DESC LIMIT 1)`,
      stable ? [c, q, rows[0].stable_line] : [c, q],
    );
    if (!last) return null;
    return { records, end: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) }, full: last.whole };
  }

  /** Applies one page to the projection in the caller's transaction; returns how many of its own events it held. */
  private async applyPage(tx: EntityManager, p: Projection, records: RecordedEvent[]): Promise<number> {
    await this.applyRecords(tx, records, [p]);
    return records.filter((r) => r.type !== SUBJECT_ERASED || (p.eventTypes as readonly string[]).includes(r.type)).length;
  }
}

function checkpointOf(row: { position_commit: string; position_prepare: string }): Position {
  const commit = BigInt(row.position_commit);
  return commit < 0n ? START : { commit, prepare: BigInt(row.position_prepare) };
}
