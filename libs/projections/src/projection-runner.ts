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
  PostgresEventStore,
  comparePositions,
  parsePosition,
  positionToString,
  START,
  type EventLog,
  type Position,
  type RecordedEvent,
  type StoredEvent,
} from '@learnstream/event-store';
import { classifyDatabaseError, isTransientDatabaseError, sqlStateOf } from '@learnstream/database';
import type { DataSource, EntityManager } from 'typeorm';
import { applySteps, decodeFor, erasedSubjectOf, forget, stepsOf, wants, type Step } from './apply-events';
import type { InlineProjections } from './inline-projections';
import { SUBJECT_ERASED, type Projection } from './projection';

export interface ProjectionRunnerOptions {
  /** Largest number of events applied in one transaction. */
  batchSize?: number;
  /**
   * Largest batch while `appending()` says this process is writing to the log (a server's requests): the appends go
   * first, the reader takes small bites and catches up with big ones when they stop. Default: batchSize.
   */
  liveBatchSize?: number;
  /** Whether this process is appending now (the server's group commit); default: never. */
  appending?: () => boolean;
  /**
   * While the log grows by a stream of small appends (of this process or any other; not a catch-up, whose batches are
   * full): when the last batch held more than one event, or a single one taken less than this long after the batch
   * before, the reader waits this long before it reads the next batch, so that a sustained load is applied in few
   * large batches instead of many small ones (a batch costs a transaction and its statements whatever its size). An
   * event that comes alone after a quiet spell is applied at once. A stop, a restart or a caller of `waitFor` in this
   * process (read-your-writes) cuts the wait short; a new event does not. A reader that runs a decision read model
   * (`inline`, asynchronous with EventStoreDB: commands wait for it) never waits. Default 0.
   */
  liveLingerMs?: number;
  /** When idle, how often a reader checks whether a checkpoint was moved by another process (a rebuild from the CLI). */
  idleCheckMs?: number;
  /** Lag is counted up to this many events. */
  lagCap?: number;
  /** How many projections apply a batch at the same time (each in its own transaction, on its own connection). */
  concurrency?: number;
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
  /** Events in the log after the checkpoint: counted up to 10,000, estimated from log positions beyond (up to `lagCap`). */
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
/** A batch of at most this many events that several members have work in is applied by them in one transaction (commitJointly). */
const JOINT_BATCH_EVENTS = 50;
/** The lag of a projection is counted row by row up to this many events, and estimated from log positions beyond. */
const EXACT_LAG = 10_000;
/** Pauses after a failure that is not the database's (a bug in the runner's own queries): grows to 30 s. */
const BUG_BACKOFF_MS = { first: 250, max: 30_000 };

/** How an event failed, to tell "fails the same way again" from a passing failure. */
function failureSignature(error: unknown): string {
  const state = sqlStateOf(error);
  if (state) return `SQLSTATE ${state}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A projection as a reader runs it: where it is, and whether a rebuild of it is still catching up. */
interface Member {
  p: Projection;
  checkpoint: Checkpoint;
  rebuilding: boolean;
}

/**
 * One subscription to the log, feeding its members. The main reader feeds
 * every projection that is in step; a projection that fell behind (a rebuild,
 * a failure, a checkpoint moved by another process) gets a lane of its own,
 * a reader with just it, and joins the main reader again once it has caught
 * up with it.
 */
interface Reader {
  main: boolean;
  members: Map<string, Member>;
  stopping: boolean;
  done: Promise<void>;
  state: ProjectionState;
  lastError: string | null;
  /** Set by restart() (a rebuild, stop): the reader checks its checkpoints at once. */
  interrupted: boolean;
  /** Ends the reader's current pause, if it is in one. */
  wake: (() => void) | null;
  /** Ends the reader's linger (liveLingerMs), if it is in one: someone in this process waits for it (waitFor). */
  hurry: (() => void) | null;
  /** How far this reader has taken events from the log (its batch in flight included); null before it subscribed. */
  readPosition: Position | null;
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

/** What a member's batch came to: applied (its new checkpoint) or superseded (moved elsewhere). */
type Outcome = Checkpoint | null;

export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private readonly byName: Map<string, Projection>;
  private main: Reader | null = null;
  private readonly lanes = new Map<string, Reader>();
  private readonly batchSize: number;
  private readonly liveBatchSize: number;
  private readonly appending: () => boolean;
  private readonly liveLingerMs: number;
  private readonly idleCheckMs: number;
  private readonly lagCap: number;
  private readonly concurrency: number;
  private readonly inline: InlineProjections | null;
  /** Callers of waitFor in this process, woken when a local reader commits. */
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
    this.liveBatchSize = Math.min(this.batchSize, options.liveBatchSize ?? this.batchSize);
    this.appending = options.appending ?? (() => false);
    this.liveLingerMs = options.liveLingerMs ?? 0;
    this.idleCheckMs = options.idleCheckMs ?? 5000;
    this.lagCap = options.lagCap ?? 100_000;
    this.concurrency = options.concurrency ?? 3;
    this.inline = options.inline ?? null;
  }

  /** Whether the projection is written by the appends, or being caught up to be (and so has no reader here). */
  private isInline(p: Projection): boolean {
    return Boolean(p.inline && this.inline?.owned);
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
    if (this.main) return;
    const members = this.projections.filter((p) => !this.isInline(p)).map((p): Member => ({ p, checkpoint: { position: START, generation: 0 }, rebuilding: false }));
    this.main = this.newReader(true, members);
    this.run(this.main);
  }

  /** The main reader and the lanes of this process. */
  private readers(): Reader[] {
    return [...(this.main ? [this.main] : []), ...this.lanes.values()];
  }

  async stop(): Promise<void> {
    const readers = this.readers();
    for (const reader of readers) {
      reader.stopping = true;
      this.interrupt(reader);
    }
    await Promise.all(readers.map((r) => r.done));
    this.main = null;
    this.lanes.clear();
  }

  private newReader(main: boolean, members: Member[]): Reader {
    return {
      main,
      members: new Map(members.map((m) => [m.p.name, m])),
      stopping: false,
      done: Promise.resolve(),
      state: 'running',
      lastError: null,
      interrupted: false,
      wake: null,
      hurry: null,
      readPosition: null,
    };
  }

  private interrupt(reader: Reader): void {
    reader.interrupted = true;
    reader.wake?.();
  }

  /**
   * Until `ms` have passed (0: the next turn of the event loop), or the reader is woken or interrupted. A linger (the
   * wait before a live reader's next batch, liveLingerMs) is not ended by the next event arriving, only by a stop, a
   * restart or a caller of waitFor in this process (`hurry`), and there is none while someone waits already.
   */
  private pause(reader: Reader, ms: number, linger = false): Promise<void> {
    if (reader.interrupted || reader.stopping || (linger && this.waiters.size > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        reader.wake = null;
        reader.hurry = null;
        resolve();
      };
      const timer = ms > 0 ? setTimeout(done, ms) : undefined;
      const immediate = ms > 0 ? undefined : setImmediate(done);
      reader.wake = linger ? () => (reader.interrupted || reader.stopping) && done() : done;
      reader.hurry = linger ? done : null;
    });
  }

  /**
   * Takes a projection out of the main reader into a lane of its own (it
   * failed, or its checkpoint is not where the main reader has it); the lane
   * reloads its checkpoint and catches up alone. Only the member the main
   * reader holds now is taken out (a late outcome of an older one is ignored).
   */
  private detach(member: Member, error?: unknown): void {
    const main = this.main;
    if (main?.members.get(member.p.name) === member) main.members.delete(member.p.name);
    else if (main?.members.has(member.p.name)) return;
    this.startLane(member.p, error);
  }

  private startLane(p: Projection, error?: unknown): void {
    const existing = this.lanes.get(p.name);
    if (existing) {
      this.interrupt(existing);
      return;
    }
    if (!this.main || this.main.stopping) return;
    const lane = this.newReader(false, [{ p, checkpoint: { position: START, generation: 0 }, rebuilding: false }]);
    if (error !== undefined) {
      lane.state = 'failing';
      lane.lastError = error instanceof Error ? error.message : String(error);
    }
    this.lanes.set(p.name, lane);
    this.run(lane, error !== undefined);
  }

  /** A lane whose projection is at or past the main reader's position hands it to the main reader and ends. */
  private rejoin(lane: Reader): boolean {
    const main = this.main;
    const [member] = lane.members.values();
    if (lane.main || !main || main.stopping || lane.stopping || !member || main.readPosition === null) return false;
    if (main.members.has(member.p.name) || comparePositions(member.checkpoint.position, main.readPosition) < 0) return false;
    main.members.set(member.p.name, member);
    lane.stopping = true;
    if (this.lanes.get(member.p.name) === lane) this.lanes.delete(member.p.name);
    return true;
  }

  private run(reader: Reader, failedAlready = false): void {
    reader.done = (async () => {
      let failures = failedAlready ? 1 : 0;
      let backoff = BUG_BACKOFF_MS.first;
      if (failedAlready) await this.pause(reader, RETRY_SCHEDULE_MS[0]);
      while (!reader.stopping) {
        reader.interrupted = false;
        try {
          await this.follow(reader);
          failures = 0;
          backoff = BUG_BACKOFF_MS.first;
        } catch (error) {
          reader.state = 'failing';
          reader.lastError = error instanceof Error ? error.message : String(error);
          const transient = isTransientDatabaseError(error);
          const pause = transient ? RETRY_SCHEDULE_MS[Math.min(failures, RETRY_SCHEDULE_MS.length - 1)] : backoff;
          failures += 1;
          const projections = [...reader.members.keys()].join(', ');
          // A database outage is logged once per reader, then quietly retried.
          if (!transient) this.logger.error({ msg: 'projection failing; retrying', projections, error: reader.lastError, retryInMs: pause });
          else if (failures === 1) this.logger.warn({ msg: 'projection waiting for the database', projections, error: reader.lastError, retryEveryMs: RETRY_SCHEDULE_MS.at(-1) });
          await this.pause(reader, pause);
          if (!transient) backoff = Math.min(backoff * 2, BUG_BACKOFF_MS.max);
        }
      }
      reader.state = 'stopped';
    })();
  }

  /** Reads the stored checkpoints of these projections, in one statement. */
  private async loadCheckpoints(names: string[]): Promise<Map<string, { checkpoint: Checkpoint; rebuilding: boolean }>> {
    const rows: Record<string, unknown>[] = names.length
      ? await this.dataSource.query(
          'SELECT name, position_commit, position_prepare, generation, rebuild_started_at FROM projection_checkpoints WHERE name = ANY($1)',
          [names],
        )
      : [];
    return new Map(rows.map((row) => [String(row.name), { checkpoint: toCheckpoint(row), rebuilding: row.rebuild_started_at !== null }]));
  }

  /** Follows the log from the stored checkpoints until stopped, rebuilt or superseded. */
  private async follow(reader: Reader): Promise<void> {
    const stored = await this.loadCheckpoints([...reader.members.keys()]);
    for (const member of reader.members.values()) {
      const s = stored.get(member.p.name);
      if (!s) throw new UnknownProjectionError(member.p.name);
      member.checkpoint = s.checkpoint;
      member.rebuilding = s.rebuilding;
    }
    if (reader.state === 'failing') {
      // The database answered again.
      this.logger.log({ msg: 'projection resumed', projections: [...reader.members.keys()].join(', ') });
      reader.state = 'running';
      reader.lastError = null;
    }
    let from: Position;
    if (reader.main) {
      // The main reader goes on from the furthest checkpoint; a projection behind it catches up in a lane.
      const members = [...reader.members.values()];
      from = members.reduce<Position>((a, m) => (comparePositions(m.checkpoint.position, a) > 0 ? m.checkpoint.position : a), reader.readPosition ?? START);
      for (const m of members) if (comparePositions(m.checkpoint.position, from) < 0) this.detach(m);
    } else {
      if (this.rejoin(reader)) return;
      from = [...reader.members.values()][0].checkpoint.position;
    }
    reader.readPosition = from;
    const subscription = this.eventLog.store.subscribeToAll({ from });
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
          reader.wake?.();
        },
        (error: unknown) => {
          s.settled = true;
          s.error = error;
          reader.wake?.();
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
      let linger = false;
      let previousAt = 0;
      // A decision read model's reader (EventStoreDB: commands wait for it) applies what comes at once.
      const lingers = this.liveLingerMs > 0 && ![...reader.members.values()].some((m) => m.p.inline);
      while (!reader.stopping) {
        if (linger) await this.pause(reader, this.liveLingerMs, true);
        linger = false;
        if (reader.stopping) return;
        const waiting = take();
        if (!waiting.settled) await this.pause(reader, this.idleCheckMs);
        if (reader.stopping) return;
        if (!waiting.settled || reader.interrupted) {
          // Idle (or told to look): has a checkpoint moved under us (a rebuild, another process)?
          reader.interrupted = false;
          if (!(await this.checkMembers(reader))) return;
          if (!waiting.settled) {
            // Caught up with the log: a rebuild in progress is over.
            await this.rebuildsDone(reader);
            if (this.rejoin(reader)) return;
            continue;
          }
        }
        const first = consume(waiting);
        if (first.done) return;
        const batch = [first.value];
        // Take what the subscription already has, without waiting for more (less while this process is appending).
        const limit = this.liveBatchSize < this.batchSize && this.appending() ? this.liveBatchSize : this.batchSize;
        while (batch.length < limit) {
          const more = take();
          if (!more.settled) await this.pause(reader, 0);
          if (!more.settled) break;
          const r = consume(more);
          if (r.done) break;
          batch.push(r.value);
        }
        const takenAt = Date.now();
        linger = lingers && batch.length < limit && (batch.length > 1 || takenAt - previousAt < this.liveLingerMs);
        previousAt = takenAt;
        reader.readPosition = batch[batch.length - 1].position;
        if (!(await this.applyBatch(reader, batch))) {
          // Another process moved the checkpoint: resume from it after a short, random pause.
          await sleep(20 + Math.random() * 80);
          return;
        }
        reader.state = 'running';
        reader.lastError = null;
        if (this.rejoin(reader)) return;
      }
    } finally {
      await subscription.close();
    }
  }

  /**
   * Compares the stored checkpoints with the reader's (one statement). The
   * main reader hands a projection whose checkpoint moved to a lane; a lane
   * returns false (it restarts from the stored checkpoint).
   */
  private async checkMembers(reader: Reader): Promise<boolean> {
    const members = [...reader.members.values()];
    if (members.length === 0) return true;
    const stored = await this.loadCheckpoints(members.map((m) => m.p.name));
    for (const m of members) {
      const s = stored.get(m.p.name);
      if (s && s.checkpoint.generation === m.checkpoint.generation && comparePositions(s.checkpoint.position, m.checkpoint.position) === 0) continue;
      if (!reader.main) return false;
      this.detach(m);
    }
    return true;
  }

  private async rebuildsDone(reader: Reader): Promise<void> {
    const done = [...reader.members.values()].filter((m) => m.rebuilding);
    if (done.length === 0) return;
    await this.dataSource.query(
      `UPDATE projection_checkpoints c SET rebuild_started_at = NULL FROM unnest($1::text[], $2::int[]) AS t(name, generation)
       WHERE c.name = t.name AND c.generation = t.generation`,
      [done.map((m) => m.p.name), done.map((m) => m.checkpoint.generation)],
    );
    for (const m of done) m.rebuilding = false;
  }

  /**
   * Hands a batch to every member: those with events of their types (or an
   * erasure) in it apply them, each in one transaction with its checkpoint,
   * a few at a time; the others' checkpoints move together, in one statement.
   * Events are decrypted once, for all the members that read personal data.
   * In the main reader, a member that fails or was moved elsewhere goes to a
   * lane and the others go on; a lane returns false when its member was superseded.
   */
  private async applyBatch(reader: Reader, batch: RecordedEvent[]): Promise<boolean> {
    const end = batch[batch.length - 1].position;
    const working: { m: Member; records: RecordedEvent[] }[] = [];
    const idle: Member[] = [];
    for (const m of reader.members.values()) {
      if (comparePositions(m.checkpoint.position, end) >= 0) continue;
      const from = batch.findIndex((r) => comparePositions(r.position, m.checkpoint.position) > 0);
      const records = from === 0 ? batch : batch.slice(from);
      if (records.some((r) => r.type === SUBJECT_ERASED || wants(m.p, r.type))) working.push({ m, records });
      else idle.push(m);
    }
    let decoded: Map<Projection, StoredEvent[]> | null = null;
    if (working.length > 0) {
      const first = working.reduce((a, w) => (w.records.length > a.length ? w.records : a), [] as RecordedEvent[]);
      try {
        decoded = await decodeFor(working.map((w) => w.m.p), this.eventLog, first);
      } catch (error) {
        // Each member decodes its own events on the way to parking the one that fails.
        if (classifyDatabaseError(error) === 'transient') throw error;
      }
    }
    let intact = true;
    const outcome = (m: Member, result: Outcome | Error) => {
      if (result instanceof Error) {
        if (!reader.main) throw result;
        this.detach(m, result);
      } else if (result === null) {
        if (!reader.main) intact = false;
        else this.detach(m);
      } else m.checkpoint = result;
    };
    let tasks: (() => Promise<void>)[] = working.map(({ m, records }) => async () => {
      const events = decoded?.get(m.p)?.filter((e) => comparePositions(e.position, m.checkpoint.position) > 0);
      outcome(m, await this.apply(m.p, records, m.checkpoint, events).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    });
    const moveIdle = async () => {
      const moved = await this.moveTogether(idle, end);
      for (const m of idle) outcome(m, moved.has(m.p.name) ? { position: end, generation: m.checkpoint.generation } : null);
    };
    // A few events that several members have work in (a live server's new events: five projections handle a report's
    // read) are applied by all of them in one transaction, which moves the idle members' checkpoints too; if any of it
    // fails, or a checkpoint moved, each applies on its own and the idle ones move together, as below.
    const jointly = decoded;
    if (reader.main && jointly && working.length > 1 && batch.length <= JOINT_BATCH_EVENTS && working.every((w) => jointly.has(w.m.p))) {
      const each = idle.length > 0 ? [moveIdle, ...tasks] : tasks;
      tasks = [
        async () => {
          if (await this.commitJointly(working, idle, jointly, end)) for (const m of [...working.map((w) => w.m), ...idle]) outcome(m, { position: end, generation: m.checkpoint.generation });
          else await inParallel(each, this.concurrency);
        },
      ];
    } else if (idle.length > 0) tasks.unshift(moveIdle);
    await inParallel(tasks, this.concurrency);
    this.wakeWaiters();
    return intact;
  }

  /**
   * Applies the members' events of a batch in ONE transaction, their checkpoints and the idle members' claimed (locked
   * and moved to `to`) in one statement first: the statements of a transaction per member (begin, claim, commit) and
   * the idle members' move once for all of them.
   * False, with nothing of it kept, when a checkpoint moved or anything failed: each member then applies on its own,
   * where a failure is handled as ever (parked, retried, the member sent to a lane) and a moved checkpoint found.
   */
  private async commitJointly(working: { m: Member; records: RecordedEvent[] }[], idle: Member[], decoded: Map<Projection, StoredEvent[]>, to: Position): Promise<boolean> {
    const plans = working.map(({ m, records }) => {
      const events = decoded.get(m.p)!.filter((e) => comparePositions(e.position, m.checkpoint.position) > 0);
      const steps = stepsOf(m.p, this.eventLog, records, events);
      return { m, steps, handled: steps.reduce((n, step) => n + ('events' in step ? step.events.length : 0), 0) };
    });
    plans.push(...idle.map((m) => ({ m, steps: [] as Step[], handled: 0 })));
    try {
      await this.dataSource.transaction(async (tx) => {
        const [claimed]: { n: number }[] = await tx.query(
          `WITH moved AS (
             UPDATE projection_checkpoints c SET position_commit = $1, position_prepare = $2, events_handled = c.events_handled + t.handled, updated_at = now()
             FROM unnest($3::text[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[]) AS t(name, generation, position_commit, position_prepare, handled)
             WHERE c.name = t.name AND c.generation = t.generation AND c.position_commit = t.position_commit AND c.position_prepare = t.position_prepare
             RETURNING 1)
           SELECT count(*)::int AS n FROM moved`,
          [
            to.commit.toString(),
            to.prepare.toString(),
            plans.map(({ m }) => m.p.name),
            plans.map(({ m }) => m.checkpoint.generation),
            plans.map(({ m }) => stored(m.checkpoint.position)[0]),
            plans.map(({ m }) => stored(m.checkpoint.position)[1]),
            plans.map(({ handled }) => handled),
          ],
        );
        if (claimed.n !== plans.length) throw new Superseded();
        for (const { m, steps } of plans) await applySteps(m.p, steps, tx);
      });
    } catch {
      return false;
    }
    return true;
  }

  /** Moves the checkpoints of projections that had nothing to do in a batch to its end, in one statement; returns those moved. */
  private async moveTogether(members: Member[], to: Position): Promise<Set<string>> {
    const rows: { name: string }[] = await this.dataSource.query(
      `WITH moved AS (
         UPDATE projection_checkpoints c SET position_commit = $1, position_prepare = $2, updated_at = now()
         FROM unnest($3::text[], $4::int[], $5::bigint[], $6::bigint[]) AS t(name, generation, position_commit, position_prepare)
         WHERE c.name = t.name AND c.generation = t.generation AND c.position_commit = t.position_commit AND c.position_prepare = t.position_prepare
         RETURNING c.name)
       SELECT name FROM moved`,
      [
        to.commit.toString(),
        to.prepare.toString(),
        members.map((m) => m.p.name),
        members.map((m) => m.checkpoint.generation),
        members.map((m) => stored(m.checkpoint.position)[0]),
        members.map((m) => stored(m.checkpoint.position)[1]),
      ],
    );
    return new Set(rows.map((r) => r.name));
  }

  /**
   * Applies a batch (events already decoded, or not); on a failure, retries
   * event by event and parks the one that fails for good. Transient failures
   * are thrown: the reader retries.
   */
  private async apply(p: Projection, batch: RecordedEvent[], checkpoint: Checkpoint, decoded?: StoredEvent[]): Promise<Outcome> {
    try {
      return await this.applyOnce(p, batch, checkpoint, decoded);
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

  private async applyOnce(p: Projection, batch: RecordedEvent[], checkpoint: Checkpoint, decoded?: StoredEvent[]): Promise<Checkpoint> {
    // Only the events this projection handles are decrypted.
    let events = decoded;
    if (!events) {
      const wanted = batch.filter((r) => wants(p, r.type));
      events = p.readsPersonalData === false ? this.eventLog.decodeSealed(wanted) : await this.eventLog.decode(wanted);
    }
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
    const handled = steps.reduce((n, step) => n + ('events' in step ? step.events.length : 0), 0);
    await this.dataSource.transaction(async (tx) => {
      // The checkpoint row is claimed (locked) first: a second process, or a rebuild, queues here or finds it moved.
      await this.claimCheckpoint(tx, p.name, checkpoint, to, handled);
      await applySteps(p, steps, tx);
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
      await this.claimCheckpoint(tx, p.name, checkpoint, record.position, 0);
      await tx.query(
        `INSERT INTO projection_dead_letters (projection, event_id, event_type, position, error) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = projection_dead_letters.attempts + 1, parked_at = now()`,
        [p.name, record.id, record.type, positionToString(record.position), message.slice(0, 4000)],
      );
    });
  }

  /**
   * Moves the checkpoint from `expected` to `to` in the caller's transaction,
   * in one statement that locks its row; throws Superseded when it is no
   * longer at `expected` (a rebuild, another process).
   */
  private async claimCheckpoint(tx: EntityManager, name: string, expected: Checkpoint, to: Position, handled: number): Promise<void> {
    const [commit, prepare] = stored(expected.position);
    const rows: unknown[] = await tx.query(
      `WITH moved AS (
         UPDATE projection_checkpoints SET position_commit = $5, position_prepare = $6, events_handled = events_handled + $7, updated_at = now()
         WHERE name = $1 AND generation = $2 AND position_commit = $3 AND position_prepare = $4 RETURNING 1)
       SELECT * FROM moved`,
      [name, expected.generation, commit, prepare, to.commit.toString(), to.prepare.toString(), handled],
    );
    if (rows.length !== 1) throw new Superseded();
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
    // Its reader here (the main one, or its lane) lets it go: a lane replays the log into it alone.
    const member = this.main?.members.get(name);
    if (member) this.detach(member);
    else if (this.lanes.has(name)) this.interrupt(this.lanes.get(name)!);
  }

  /**
   * Every projection's checkpoint, lag and dead letters. Reads only (a
   * projection without a checkpoint row yet shows as at the start). On the
   * PostgreSQL event store it is one statement, lag included, counted once
   * per distinct checkpoint (the projections of the main reader share one:
   * counting it for each of them made a lagging server's /health scan the
   * log's tail twenty times over). It is counted exactly up to EXACT_LAG
   * events; past that it is estimated from the log's positions (the
   * identity's last value minus the checkpoint's: counting 100,000 rows for
   * each of a catch-up's checkpoints took 0.47 s a call on the
   * 1,000,000-event bench term, while /health was polled). A checkpoint whose
   * estimate is twice that or more is not counted at all: its count would
   * only reach the cap (counting 10,000 rows for each of the start-up's
   * checkpoints was 30 % of the database's time of a catch-up, bench:reports
   * polling /health every 200 ms until the server answered, 583 calls of
   * 0.3 s at load 10-20). The count is MATERIALIZED (inlined, PostgreSQL ran
   * it again for each projection's row of the final join) and walks the
   * log's primary key in order (without the ORDER BY the planner chose a
   * sequential scan of the whole log for its LIMIT, which finds nothing for a
   * checkpoint at the head: 20 × 0.5 s per call on the 200,000-event bench
   * term while the inline read models caught up; 3–20 ms now). Elsewhere the
   * lag is counted by the store, a query per projection.
   */
  async status(): Promise<ProjectionStatus[]> {
    const inSql = this.eventLog.store instanceof PostgresEventStore;
    const rows: Record<string, string | number | boolean | Date | null>[] = await this.dataSource.query(
      `WITH c AS (
         SELECT n.name, coalesce(c.position_commit, -1) AS position_commit, coalesce(c.position_prepare, -1) AS position_prepare,
           coalesce(c.generation, 1) AS generation, coalesce(c.events_handled, 0) AS events_handled, coalesce(c.inline, false) AS inline,
           coalesce(c.updated_at, now()) AS updated_at, c.rebuild_started_at,
           (SELECT count(*) FROM projection_dead_letters d WHERE d.projection = n.name) AS dead_letters
         FROM unnest($1::text[]) AS n(name) LEFT JOIN projection_checkpoints c ON c.name = n.name),
       estimated AS (
         SELECT p.position_commit, p.position_prepare,
           coalesce(pg_sequence_last_value(pg_get_serial_sequence('events', 'global_position')::regclass) - p.position_prepare, 0) AS estimate
         FROM (SELECT DISTINCT position_commit, position_prepare FROM c WHERE $2 AND NOT inline) p),
       counted AS MATERIALIZED (
         SELECT p.position_commit, p.position_prepare, p.estimate, CASE WHEN p.estimate < 2 * $4 THEN (
           SELECT count(*) FROM (SELECT 1 FROM events e
             WHERE (e.transaction_id, e.global_position) > (greatest(p.position_commit, 0)::text::xid8, p.position_prepare)
             ORDER BY e.transaction_id, e.global_position LIMIT $4) t) END AS n
         FROM estimated p),
       lags AS (
         SELECT position_commit, position_prepare, CASE WHEN n < $4 THEN n ELSE least($3, greatest($4, estimate)) END AS lag
         FROM counted)
       SELECT c.*, CASE WHEN NOT c.inline THEN l.lag END AS lag
       FROM c LEFT JOIN lags l ON l.position_commit = c.position_commit AND l.position_prepare = c.position_prepare ORDER BY c.name`,
      [this.projections.map((p) => p.name), inSql, this.lagCap, Math.min(this.lagCap, EXACT_LAG)],
    );
    return Promise.all(
      rows.map(async (row) => {
        const checkpoint = toCheckpoint(row);
        const reader = this.readerOf(String(row.name));
        const inline = Boolean(row.inline);
        const lag = inline ? 0 : inSql ? Number(row.lag) : await this.eventLog.store.countAfter(checkpoint.position, this.lagCap);
        return {
          name: String(row.name),
          state: inline ? 'inline' : (reader?.state ?? 'stopped'),
          position: positionToString(checkpoint.position),
          generation: checkpoint.generation,
          eventsHandled: Number(row.events_handled),
          lag,
          lagCapped: lag >= this.lagCap,
          deadLetters: Number(row.dead_letters),
          lastError: reader?.lastError ?? null,
          updatedAt: new Date(row.updated_at as Date).toISOString(),
          rebuildStartedAt: row.rebuild_started_at ? new Date(row.rebuild_started_at as Date).toISOString() : null,
        };
      }),
    );
  }

  /** The reader running this projection in this process, if any. */
  private readerOf(name: string): Reader | undefined {
    const lane = this.lanes.get(name);
    if (lane && !lane.stopping) return lane;
    return this.main?.members.has(name) ? this.main : undefined;
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
      // A local reader that lingers goes on at once (liveLingerMs).
      for (const reader of this.readers()) reader.hurry?.();
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

/** A position as the checkpoint table stores it (START is -1/-1). */
function stored(p: Position): [string, string] {
  return p.commit < 0n ? ['-1', '-1'] : [p.commit.toString(), p.prepare.toString()];
}

/** Runs the tasks, at most `limit` at a time; once all have ended, throws the first failure. */
async function inParallel(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]().catch((error: unknown) => failures.push(error));
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failures.length) throw failures[0];
}

function toCheckpoint(row: Record<string, unknown>): Checkpoint {
  const commit = BigInt(row.position_commit as string);
  return {
    position: commit < 0n ? START : { commit, prepare: BigInt(row.position_prepare as string) },
    generation: Number(row.generation),
  };
}
