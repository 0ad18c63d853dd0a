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
 * alone. Appends of inline event types take a shared advisory lock; a
 * catch-up or rebuild takes it exclusively, so that it never interleaves with
 * a live append.
 *
 * EventStoreDB: no transaction spans EventStoreDB and PostgreSQL. There the
 * same projections stay asynchronous (run by the ProjectionRunner, with their
 * checkpoints), and the EventLog waits after each append of one of their
 * event types until they have applied it (`readYourWrites`), so a command's
 * next decision still sees it; a crash between the append and the projection
 * is repaired by the runner's catch-up. See README, "Inline read models".
 */
import { Logger } from '@nestjs/common';
import { PostgresEventStore, positionToString, START, type EventLog, type Position, type RecordedEvent } from '@learnstream/event-store';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { applySteps, decodeFor, stepsOf } from './apply-events';
import { SUBJECT_ERASED, type Projection } from './projection';

/** Advisory lock key of the inline read models ('LSIN'): shared by appends, exclusive for a catch-up or rebuild. */
export const INLINE_LOCK = 0x4c53494e;

const PAGE = 1000;

export class InlineProjections {
  private readonly logger = new Logger('InlineProjections');
  readonly projections: readonly Projection[];
  private readonly types: Set<string>;
  private attached = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventLog: EventLog,
    all: readonly Projection[],
  ) {
    this.projections = all.filter((p) => p.inline);
    this.types = new Set([SUBJECT_ERASED, ...this.projections.flatMap((p) => (p.eventTypes === '*' ? [] : p.eventTypes))]);
    if (this.projections.some((p) => p.eventTypes === '*')) throw new Error('an inline projection must list its event types');
  }

  /** Whether the appends of this process write the inline read models (PostgreSQL event store, after attach()). */
  get active(): boolean {
    return this.attached;
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
   */
  async attach(): Promise<boolean> {
    const store = this.eventLog.store;
    if (!(store instanceof PostgresEventStore) || this.projections.length === 0) return false;
    await this.catchUp();
    store.inTransaction = (client, appended) => this.apply(client, appended);
    this.attached = true;
    return true;
  }

  detach(): void {
    const store = this.eventLog.store;
    if (store instanceof PostgresEventStore && this.attached) store.inTransaction = null;
    this.attached = false;
  }

  /** In an append's transaction: applies the events of inline types it carries. */
  private async apply(client: pg.PoolClient, appended: RecordedEvent[]): Promise<void> {
    const relevant = appended.filter((r) => this.types.has(r.type));
    if (relevant.length === 0) return;
    await client.query('SELECT pg_advisory_xact_lock_shared($1)', [INLINE_LOCK]);
    await this.applyRecords(this.managerOn(client), relevant, this.projections, (records) => this.eventLog.decodeAppended(records));
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

  /** Brings the inline read models not yet marked inline up to the log's head, then marks them. */
  async catchUp(): Promise<void> {
    await this.exclusively(async (tx) => {
      const rows: { name: string; position_commit: string; position_prepare: string }[] = await tx.query(
        'SELECT name, position_commit, position_prepare FROM projection_checkpoints WHERE name = ANY($1) AND NOT inline',
        [this.names()],
      );
      for (const row of rows) {
        const p = this.projections.find((x) => x.name === row.name)!;
        const commit = BigInt(row.position_commit);
        const from = commit < 0n ? START : { commit, prepare: BigInt(row.position_prepare) };
        const handled = await this.replay(tx, p, from);
        await tx.query('UPDATE projection_checkpoints SET inline = true, rebuild_started_at = NULL, events_handled = events_handled + $2, updated_at = now() WHERE name = $1', [p.name, handled]);
        this.logger.log({ msg: 'read model is now written inline', projection: p.name, from: positionToString(from), caughtUp: handled });
      }
    });
  }

  /** Empties an inline read model and replays the log into it, in one transaction that appends wait for. */
  async rebuild(name: string): Promise<void> {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new Error(`${name} is not an inline read model`);
    await this.exclusively(async (tx) => {
      await p.reset(tx);
      await tx.query('DELETE FROM projection_dead_letters WHERE projection = $1', [name]);
      const handled = await this.replay(tx, p, START);
      await tx.query(
        `UPDATE projection_checkpoints SET inline = true, generation = generation + 1, events_handled = $2, rebuild_started_at = NULL, updated_at = now() WHERE name = $1`,
        [name, handled],
      );
    });
    this.logger.log({ msg: 'inline read model rebuilt', projection: name });
  }

  private async exclusively(work: (tx: EntityManager) => Promise<void>): Promise<void> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [this.names()]);
    await this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INLINE_LOCK]);
      await work(tx);
    });
  }

  /**
   * Applies the projection's events after `from`, in log order. Under the
   * exclusive lock every event of an inline type is committed (their appends
   * hold the shared lock), so the whole table is read, not only below the
   * stable line of the subscriptions.
   */
  private async replay(tx: EntityManager, p: Projection, from: Position): Promise<number> {
    const types = [SUBJECT_ERASED, ...(p.eventTypes as readonly string[])];
    let position = from;
    let handled = 0;
    for (;;) {
      const [c, q] = position.commit < 0n ? ['0', '-1'] : [position.commit.toString(), position.prepare.toString()];
      const rows: { transaction_id: string; global_position: string; stream_id: string; stream_revision: string; event_id: string; event_type: string; data: Record<string, unknown>; metadata: Record<string, unknown>; recorded_at: Date }[] =
        await tx.query(
          `SELECT transaction_id, global_position, stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at FROM events
           WHERE event_type = ANY($1) AND (transaction_id, global_position) > ($2::xid8, $3::bigint)
           ORDER BY transaction_id, global_position LIMIT ${PAGE}`,
          [types, c, q],
        );
      if (rows.length === 0) return handled;
      const records: RecordedEvent[] = rows.map((r) => ({
        id: r.event_id,
        type: r.event_type,
        streamId: r.stream_id,
        revision: BigInt(r.stream_revision),
        position: { commit: BigInt(r.transaction_id), prepare: BigInt(r.global_position) },
        data: r.data,
        metadata: r.metadata,
        recordedAt: r.recorded_at,
      }));
      await this.applyRecords(tx, records, [p]);
      handled += records.filter((r) => r.type !== SUBJECT_ERASED || (p.eventTypes as readonly string[]).includes(r.type)).length;
      position = records[records.length - 1].position;
      if (rows.length < PAGE) return handled;
    }
  }
}
