/**
 * Runs projections: one catch-up subscription per projection, from its own
 * checkpoint. Events are applied in batches; each batch's read-model rows and
 * the checkpoint move commit in one transaction. The checkpoint row is locked
 * and compared first, so a rebuild started elsewhere (the CLI) or a second
 * projector process running the same projection can never make an event count
 * twice: the loser rolls back and resumes from the stored checkpoint.
 *
 * Failures, by the one classification of database errors (libs/database):
 * a transient one (the database unreachable, restarting, out of connections,
 * a lost race) parks nothing and moves no checkpoint: the loop retries the
 * batch on a short schedule (RETRY_SCHEDULE_MS), so it is running again
 * within a second of the database coming back. Any other failure is tried
 * again event by event; an event is parked as a dead letter only when it
 * fails the same way twice, the second time after the database answered a
 * health query, and the projection goes on.
 *
 * Erasure receipts: when a projection passes a `SubjectErased` event (every
 * projection does, whatever types it handles), the runner lets it forget the
 * subject (Projection.forgetSubject) and writes its row in `erasure_receipts`,
 * in the transaction that moves its checkpoint past the event: a receipt
 * exists exactly when the projection's rows of that person are gone.
 */
import { Logger } from '@nestjs/common';
import {
  comparePositions,
  parsePosition,
  positionToString,
  START,
  type EventLog,
  type Position,
  type RecordedEvent,
} from '@learnstream/event-store';
import { classifyDatabaseError, isTransientDatabaseError, sqlStateOf } from '@learnstream/database';
import type { DataSource, EntityManager } from 'typeorm';
import { applySteps, erasedSubjectOf, forget, stepsOf, wants, type Step } from './apply-events';
import type { InlineProjections } from './inline-projections';
import { SUBJECT_ERASED, type Projection } from './projection';

export interface ProjectionRunnerOptions {
  /** Largest number of events applied in one transaction. */
  batchSize?: number;
  /** When idle, how often a loop checks whether it was rebuilt from another process. */
  idleCheckMs?: number;
  /** Lag is counted up to this many events. */
  lagCap?: number;
  /** The inline read models: once attached (PostgreSQL), the runner leaves them to the appends. */
  inline?: InlineProjections;
}

/** `inline`: written by the appends themselves (always current; no loop). */
export type ProjectionState = 'running' | 'stopped' | 'failing' | 'inline';

export interface ProjectionStatus {
  name: string;
  state: ProjectionState;
  /** Checkpoint: the position of the last event it has passed (commit/prepare). */
  position: string;
  generation: number;
  eventsHandled: number;
  /** Events in the log after the checkpoint, counted up to `lagCap`. */
  lag: number;
  lagCapped: boolean;
  deadLetters: number;
  lastError: string | null;
  updatedAt: string;
  rebuildStartedAt: string | null;
}

export interface DeadLetter {
  id: number;
  projection: string;
  eventId: string;
  eventType: string;
  position: string;
  error: string;
  attempts: number;
  parkedAt: string;
}

export class UnknownProjectionError extends Error {
  readonly code = 'UNKNOWN_PROJECTION';
  constructor(name: string) {
    super(`no projection named "${name}"`);
  }
}

export class UnknownDeadLetterError extends Error {
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  constructor(id: number) {
    super(`no dead letter ${id}`);
  }
}

export interface RetryResult {
  id: number;
  projection: string;
  eventId: string;
  retried: boolean;
  error: string | null;
}

interface Checkpoint {
  position: Position;
  generation: number;
}

/** The checkpoint moved under us (rebuild, or another process ran the batch first). */
class Superseded extends Error {}

export { erasedSubjectOf } from './apply-events';

/**
 * Pauses between retries of a loop whose database is unavailable: short and
 * capped, so that a projection resumes well within 2 s of the database coming
 * back (a growing back-off would leave it idle for up to its longest step).
 */
export const RETRY_SCHEDULE_MS = [100, 250, 500] as const;
/** Pauses after a failure that is not the database's (a bug in the runner's own queries): grows to 30 s. */
const BUG_BACKOFF_MS = { first: 250, max: 30_000 };

/** How an event failed, to tell "fails the same way again" from a passing failure. */
function failureSignature(error: unknown): string {
  const state = sqlStateOf(error);
  if (state) return `SQLSTATE ${state}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Loop {
  stopping: boolean;
  done: Promise<void>;
  state: ProjectionState;
  lastError: string | null;
  /** Set by restart() (a rebuild, stop): the loop checks its checkpoint at once. */
  interrupted: boolean;
  /** Ends the loop's current pause, if it is in one. */
  wake: (() => void) | null;
}

/**
 * The next event of a subscription, asked for once: its outcome lands here and
 * wakes the loop. (Racing the same pending promise, or one that stays pending
 * for the life of the loop, against a timer on every turn leaves a reaction on
 * it each time, holding the turn's result: memory that grows with every batch.)
 */
interface Slot {
  settled: boolean;
  result?: IteratorResult<RecordedEvent>;
  error?: unknown;
}

export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private readonly byName: Map<string, Projection>;
  private readonly loops = new Map<string, Loop>();
  private readonly batchSize: number;
  private readonly idleCheckMs: number;
  private readonly lagCap: number;
  private readonly inline: InlineProjections | null;
  /** Callers of waitFor in this process, woken when a local loop commits. */
  private waiters = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventLog: EventLog,
    readonly projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.byName = new Map(projections.map((p) => [p.name, p]));
    if (this.byName.size !== projections.length) throw new Error('two projections share a name');
    this.batchSize = options.batchSize ?? 500;
    this.idleCheckMs = options.idleCheckMs ?? 1000;
    this.lagCap = options.lagCap ?? 100_000;
    this.inline = options.inline ?? null;
  }

  /** Whether the projection is written by the appends (and so has no loop here). */
  private isInline(p: Projection): boolean {
    return Boolean(p.inline && this.inline?.active);
  }

  private projection(name: string): Projection {
    const p = this.byName.get(name);
    if (!p) throw new UnknownProjectionError(name);
    return p;
  }

  /** Creates missing checkpoints (in one statement); leaves existing ones as they are. */
  async ensureCheckpoints(): Promise<void> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [this.projections.map((p) => p.name)]);
  }

  async start(): Promise<void> {
    await this.ensureCheckpoints();
    for (const p of this.projections) if (!this.loops.has(p.name) && !this.isInline(p)) this.startLoop(p);
  }

  async stop(): Promise<void> {
    const loops = [...this.loops.values()];
    for (const loop of loops) {
      loop.stopping = true;
      this.interrupt(loop);
    }
    await Promise.all(loops.map((l) => l.done));
    this.loops.clear();
  }

  private interrupt(loop: Loop): void {
    loop.interrupted = true;
    loop.wake?.();
  }

  /** Until `ms` have passed (0: the next turn of the event loop), or the loop is woken or interrupted. */
  private pause(loop: Loop, ms: number): Promise<void> {
    if (loop.interrupted || loop.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        loop.wake = null;
        resolve();
      };
      const timer = ms > 0 ? setTimeout(done, ms) : undefined;
      const immediate = ms > 0 ? undefined : setImmediate(done);
      loop.wake = done;
    });
  }

  private startLoop(p: Projection): void {
    const loop: Loop = { stopping: false, done: Promise.resolve(), state: 'running', lastError: null, interrupted: false, wake: null };
    this.loops.set(p.name, loop);
    loop.done = (async () => {
      let failures = 0;
      let backoff = BUG_BACKOFF_MS.first;
      while (!loop.stopping) {
        loop.interrupted = false;
        try {
          await this.follow(p, loop);
          failures = 0;
          backoff = BUG_BACKOFF_MS.first;
        } catch (error) {
          loop.state = 'failing';
          loop.lastError = error instanceof Error ? error.message : String(error);
          const transient = isTransientDatabaseError(error);
          const pause = transient ? RETRY_SCHEDULE_MS[Math.min(failures, RETRY_SCHEDULE_MS.length - 1)] : backoff;
          failures += 1;
          // A database outage is logged once per projection, then quietly retried.
          if (!transient) this.logger.error({ msg: 'projection failing; retrying', projection: p.name, error: loop.lastError, retryInMs: pause });
          else if (failures === 1) this.logger.warn({ msg: 'projection waiting for the database', projection: p.name, error: loop.lastError, retryEveryMs: RETRY_SCHEDULE_MS.at(-1) });
          await this.pause(loop, pause);
          if (!transient) backoff = Math.min(backoff * 2, BUG_BACKOFF_MS.max);
        }
      }
      loop.state = 'stopped';
    })();
  }

  /** Follows the log from the stored checkpoint until stopped, rebuilt or superseded. */
  private async follow(p: Projection, loop: Loop): Promise<void> {
    let checkpoint = await this.loadCheckpoint(p.name);
    if (loop.state === 'failing') {
      // The database answered again.
      this.logger.log({ msg: 'projection resumed', projection: p.name });
      loop.state = 'running';
      loop.lastError = null;
    }
    const subscription = this.eventLog.store.subscribeToAll({ from: checkpoint.position });
    const iterator = subscription[Symbol.asyncIterator]();
    let slot: Slot | null = null;
    const take = (): Slot => {
      if (slot) return slot;
      const s: Slot = { settled: false };
      slot = s;
      iterator.next().then(
        (result) => {
          s.settled = true;
          s.result = result;
          loop.wake?.();
        },
        (error: unknown) => {
          s.settled = true;
          s.error = error;
          loop.wake?.();
        },
      );
      return s;
    };
    const consume = (s: Slot): IteratorResult<RecordedEvent> => {
      slot = null;
      if (s.error !== undefined) throw s.error;
      return s.result!;
    };
    try {
      while (!loop.stopping) {
        const waiting = take();
        if (!waiting.settled) await this.pause(loop, this.idleCheckMs);
        if (loop.stopping) return;
        if (!waiting.settled || loop.interrupted) {
          // Idle (or told to look): has the checkpoint moved under us (a rebuild, another process)?
          loop.interrupted = false;
          const stored = await this.loadCheckpoint(p.name);
          if (stored.generation !== checkpoint.generation || comparePositions(stored.position, checkpoint.position) !== 0) return;
          // Caught up with the log: a rebuild in progress is over.
          await this.dataSource.query(
            'UPDATE projection_checkpoints SET rebuild_started_at = NULL WHERE name = $1 AND generation = $2 AND rebuild_started_at IS NOT NULL',
            [p.name, checkpoint.generation],
          );
          if (!waiting.settled) continue;
        }
        const first = consume(waiting);
        if (first.done) return;
        const batch = [first.value];
        // Take what the subscription already has, without waiting for more.
        while (batch.length < this.batchSize) {
          const more = take();
          if (!more.settled) await this.pause(loop, 0);
          if (!more.settled) break;
          const r = consume(more);
          if (r.done) break;
          batch.push(r.value);
        }
        const moved = await this.apply(p, batch, checkpoint);
        if (!moved) {
          // Another process moved the checkpoint: resume from it after a short, random pause.
          await sleep(20 + Math.random() * 80);
          return;
        }
        checkpoint = moved;
        loop.state = 'running';
        loop.lastError = null;
      }
    } finally {
      await subscription.close();
    }
  }

  /**
   * Applies a batch; on a failure, retries event by event and parks the one
   * that fails for good. Transient failures are thrown: the loop retries.
   */
  private async apply(p: Projection, batch: RecordedEvent[], checkpoint: Checkpoint): Promise<Checkpoint | null> {
    try {
      return await this.applyOnce(p, batch, checkpoint);
    } catch (error) {
      if (error instanceof Superseded) return null;
      if (classifyDatabaseError(error) === 'transient') throw error;
      if (batch.length === 1) return this.confirmAndPark(p, checkpoint, batch[0], error);
    }
    let current = checkpoint;
    for (const record of batch) {
      const moved = await this.apply(p, [record], current);
      if (!moved) return null;
      current = moved;
    }
    return current;
  }

  private async applyOnce(p: Projection, batch: RecordedEvent[], checkpoint: Checkpoint): Promise<Checkpoint> {
    // Only the events this projection handles are decrypted.
    const wanted = batch.filter((r) => wants(p, r.type));
    const events = p.readsPersonalData === false ? this.eventLog.decodeSealed(wanted) : await this.eventLog.decode(wanted);
    return this.commit(p, checkpoint, stepsOf(p, this.eventLog, batch, events), batch[batch.length - 1].position);
  }

  /**
   * An event failed with an error that is not transient. It is parked only if
   * the database answers a health query and the event then fails the same way
   * again: a connection lost mid-way, reported oddly, never parks an event.
   * Anything else is thrown, and the loop tries the batch again.
   */
  private async confirmAndPark(p: Projection, checkpoint: Checkpoint, record: RecordedEvent, error: unknown): Promise<Checkpoint | null> {
    await this.dataSource.query('SELECT 1');
    try {
      return await this.applyOnce(p, [record], checkpoint);
    } catch (again) {
      if (again instanceof Superseded) return null;
      if (classifyDatabaseError(again) === 'transient' || failureSignature(again) !== failureSignature(error)) throw again;
    }
    return this.park(p, checkpoint, record, error);
  }

  /** Applies the steps (the relevant events of the batch, and its erasures) and moves the checkpoint to `to`, in one transaction. */
  private async commit(p: Projection, checkpoint: Checkpoint, steps: Step[], to: Position): Promise<Checkpoint> {
    await this.dataSource.transaction(async (tx) => {
      await this.lockCheckpoint(tx, p.name, checkpoint);
      const handled = await applySteps(p, steps, tx);
      await this.moveCheckpoint(tx, p.name, to, handled);
    });
    this.wakeWaiters();
    return { position: to, generation: checkpoint.generation };
  }

  private async park(p: Projection, checkpoint: Checkpoint, record: RecordedEvent, error: unknown): Promise<Checkpoint | null> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      await this.parkInTransaction(p, checkpoint, record, message);
    } catch (parkError) {
      if (parkError instanceof Superseded) return null;
      throw parkError;
    }
    // Said once the row is stored (a failed parking throws, and the event is tried again).
    this.logger.warn({ msg: 'event parked as a dead letter', projection: p.name, eventId: record.id, eventType: record.type, error: message });
    return { position: record.position, generation: checkpoint.generation };
  }

  private async parkInTransaction(p: Projection, checkpoint: Checkpoint, record: RecordedEvent, message: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.lockCheckpoint(tx, p.name, checkpoint);
      await tx.query(
        `INSERT INTO projection_dead_letters (projection, event_id, event_type, position, error) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = projection_dead_letters.attempts + 1, parked_at = now()`,
        [p.name, record.id, record.type, positionToString(record.position), message.slice(0, 4000)],
      );
      await this.moveCheckpoint(tx, p.name, record.position, 0);
    });
  }

  private async lockCheckpoint(tx: EntityManager, name: string, expected: Checkpoint): Promise<void> {
    const [row] = await tx.query(
      'SELECT position_commit, position_prepare, generation FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
      [name],
    );
    const stored = row && toCheckpoint(row);
    if (!stored || stored.generation !== expected.generation || comparePositions(stored.position, expected.position) !== 0) throw new Superseded();
  }

  private async moveCheckpoint(tx: EntityManager, name: string, to: Position, handled: number): Promise<void> {
    await tx.query(
      `UPDATE projection_checkpoints SET position_commit = $2, position_prepare = $3, events_handled = events_handled + $4,
         updated_at = now() WHERE name = $1`,
      [name, to.commit.toString(), to.prepare.toString(), handled],
    );
  }

  private async loadCheckpoint(name: string): Promise<Checkpoint> {
    const [row] = await this.dataSource.query('SELECT position_commit, position_prepare, generation FROM projection_checkpoints WHERE name = $1', [name]);
    if (!row) throw new UnknownProjectionError(name);
    return toCheckpoint(row);
  }

  /**
   * Rebuilds a projection from zero: empties its read model and resets its
   * checkpoint in one transaction (from any process); the running loop, here
   * or in a projector elsewhere, notices and starts again from the beginning.
   */
  async rebuild(name: string): Promise<void> {
    const p = this.projection(name);
    if (this.isInline(p)) return this.inline!.rebuild(name);
    await this.ensureCheckpoints();
    await this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [name]);
      await p.reset(tx);
      await tx.query('DELETE FROM projection_dead_letters WHERE projection = $1', [name]);
      await tx.query(
        `UPDATE projection_checkpoints SET position_commit = -1, position_prepare = -1, generation = generation + 1,
           events_handled = 0, rebuild_started_at = now(), updated_at = now() WHERE name = $1`,
        [name],
      );
    });
    this.logger.log({ msg: 'projection rebuild started', projection: name });
    const loop = this.loops.get(name);
    if (loop) this.interrupt(loop);
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.ensureCheckpoints();
    const rows: Record<string, string | number | Date | null>[] = await this.dataSource.query(
      `SELECT c.*, (SELECT count(*) FROM projection_dead_letters d WHERE d.projection = c.name) AS dead_letters
       FROM projection_checkpoints c WHERE c.name = ANY($1) ORDER BY c.name`,
      [this.projections.map((p) => p.name)],
    );
    return Promise.all(
      rows.map(async (row) => {
        const checkpoint = toCheckpoint(row);
        const loop = this.loops.get(String(row.name));
        const inline = Boolean(row.inline);
        const lag = inline ? 0 : await this.eventLog.store.countAfter(checkpoint.position, this.lagCap);
        return {
          name: String(row.name),
          state: inline ? 'inline' : (loop?.state ?? 'stopped'),
          position: positionToString(checkpoint.position),
          generation: checkpoint.generation,
          eventsHandled: Number(row.events_handled),
          lag,
          lagCapped: lag >= this.lagCap,
          deadLetters: Number(row.dead_letters),
          lastError: loop?.lastError ?? null,
          updatedAt: new Date(row.updated_at as Date).toISOString(),
          rebuildStartedAt: row.rebuild_started_at ? new Date(row.rebuild_started_at as Date).toISOString() : null,
        };
      }),
    );
  }

  private wakeWaiters(): void {
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  /** Resolves once every projection has passed `position`; for tests and read-your-writes. */
  async waitFor(position: Position, timeoutMs = 10_000, only?: readonly string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const names = only ? [...only] : this.projections.map((p) => p.name);
    for (;;) {
      const rows: Record<string, string>[] = await this.dataSource.query(
        'SELECT name, position_commit, position_prepare, generation, inline FROM projection_checkpoints WHERE name = ANY($1)',
        [names],
      );
      const behind = names.filter((n) => {
        const row = rows.find((r) => r.name === n);
        // An inline read model is always current: it is written with the events.
        return !row || (!(row.inline as unknown as boolean) && comparePositions(toCheckpoint(row).position, position) < 0);
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projections ${behind.join(', ')} did not reach ${positionToString(position)} in ${timeoutMs} ms`);
      // A local loop wakes us when it commits; another process's loop is polled.
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  /**
   * Read-your-writes for commands: waits (briefly) until the read models have
   * applied `position`, so that a client reading right after a command sees
   * it. The events are committed either way: a slow projector only delays the
   * answer by `timeoutMs`, it never turns a done command into an error.
   */
  async settle(position: Position, only?: readonly string[], timeoutMs = 3000): Promise<boolean> {
    try {
      await this.waitFor(position, timeoutMs, only);
      return true;
    } catch (error) {
      this.logger.warn({ msg: 'read models are behind the command just done', position: positionToString(position), error: (error as Error).message });
      return false;
    }
  }

  /**
   * Applies a parked event again (after the projection's code or data was
   * fixed). On success the dead letter is removed, in the same transaction as
   * the rows written; on failure it stays, with the new error and one more attempt.
   * The projection is past the event already: it is applied out of order,
   * which projections written as upserts tolerate.
   */
  async retryDeadLetter(id: number): Promise<RetryResult> {
    const [row] = await this.dataSource.query('SELECT projection, event_id, position FROM projection_dead_letters WHERE id = $1', [id]);
    if (!row) throw new UnknownDeadLetterError(id);
    const p = this.projection(row.projection);
    const at = parsePosition(row.position);
    let record: RecordedEvent | undefined;
    for await (const r of this.eventLog.store.readAll({ direction: 'backwards', from: { commit: at.commit, prepare: at.prepare + 1n }, maxCount: 1 })) record = r;
    const base = { id, projection: p.name, eventId: row.event_id as string };
    if (!record || record.id !== row.event_id) return { ...base, retried: false, error: 'the event is no longer in the log' };
    try {
      const [event] = p.readsPersonalData === false ? this.eventLog.decodeSealed([record]) : await this.eventLog.decode([record]);
      await this.dataSource.transaction(async (tx) => {
        if (wants(p, record!.type)) await p.handle(event, tx);
        if (record!.type === SUBJECT_ERASED) await forget(p, erasedSubjectOf(event), tx);
        await tx.query('DELETE FROM projection_dead_letters WHERE id = $1', [id]);
      });
      this.logger.log({ msg: 'dead letter retried', projection: p.name, eventId: record.id });
      return { ...base, retried: true, error: null };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.dataSource.query('UPDATE projection_dead_letters SET error = $2, attempts = attempts + 1, parked_at = now() WHERE id = $1', [id, message.slice(0, 4000)]);
      return { ...base, retried: false, error: message };
    }
  }

  async deadLetters(projection?: string): Promise<DeadLetter[]> {
    if (projection) this.projection(projection);
    const rows: Record<string, string | number | Date>[] = await this.dataSource.query(
      `SELECT * FROM projection_dead_letters WHERE $1::text IS NULL OR projection = $1 ORDER BY id`,
      [projection ?? null],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      projection: String(r.projection),
      eventId: String(r.event_id),
      eventType: String(r.event_type),
      position: String(r.position),
      error: String(r.error),
      attempts: Number(r.attempts),
      parkedAt: new Date(r.parked_at as Date).toISOString(),
    }));
  }
}

function toCheckpoint(row: Record<string, unknown>): Checkpoint {
  const commit = BigInt(row.position_commit as string);
  return {
    position: commit < 0n ? START : { commit, prepare: BigInt(row.position_prepare as string) },
    generation: Number(row.generation),
  };
}
