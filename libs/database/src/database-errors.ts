/**
 * One classification of database errors, by SQLSTATE class (and, for errors
 * raised before PostgreSQL answered, by the driver's error), used by the HTTP
 * and GraphQL error mapping, the projection runner, the activity group commit
 * and the importers:
 *
 *   transient  the database is unreachable, restarting, out of connections or
 *              lost a race: nothing is wrong with the request or the event.
 *              Retried by background work; 503 DATABASE_UNAVAILABLE (with
 *              Retry-After) to an HTTP caller.
 *                08     connection exception
 *                53     insufficient resources (53300 too many connections)
 *                57     operator intervention (57P01 terminated, 57P03 starting up)
 *                55000  object not in prerequisite state (database not accepting connections)
 *                55006  object in use; 55P03 lock not available
 *                40001  serialization failure; 40P01 deadlock
 *                58     system error (I/O)
 *              plus refused/reset/timed-out sockets, pg's "Connection terminated…",
 *              a pool that is ending, and TypeORM's QueryRunnerAlreadyReleasedError/QueryRunnerProviderAlreadyReleasedError.
 *   caller     the data does not fit: 22 (data exception), 23 (integrity
 *              constraint). A 400 (409 for a unique violation) to an HTTP caller;
 *              for a projection a real dead letter.
 *   bug        everything else: a 500 logged with the request id.
 */
export type DatabaseErrorKind = 'transient' | 'caller' | 'bug';

const TRANSIENT_SQLSTATE = /^(08|53|57|58)...$|^(55000|55006|55P03|40001|40P01)$/;
const CALLER_SQLSTATE = /^(22|23)...$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
/** TypeORM's errors for a connection that went away under a query runner (its pool released it on an 'error'). */
const TRANSIENT_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError', 'ConnectionIsNotSetError']);
const TRANSIENT_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Client was closed and is not queryable|not queryable|pool is draining|the database system is (starting up|shutting down|in recovery mode)/i;

/** The SQLSTATE of an error from pg or TypeORM (QueryFailedError keeps pg's error as driverError), if any. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Whether the error (from pg or TypeORM) is a unique violation of the named index or constraint. */
export function violatesUnique(error: unknown, constraint: string): boolean {
  return causes(error).some((e) => (e as { code?: unknown }).code === '23505' && (e as { constraint?: unknown }).constraint === constraint);
}

export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  for (const e of causes(error)) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (TRANSIENT_SQLSTATE.test(code) || NETWORK_CODES.has(code)) return 'transient';
      if (CALLER_SQLSTATE.test(code)) return 'caller';
    }
    if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return 'transient';
    if (e instanceof Error && e.constructor?.name && TRANSIENT_NAMES.has(e.constructor.name)) return 'transient';
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return 'transient';
  }
  return 'bug';
}

/** True when the error says the database is unavailable for now (retry later), nothing about the request. */
export function isTransientDatabaseError(error: unknown): boolean {
  return classifyDatabaseError(error) === 'transient';
}

/**
 * The error and what it wraps: TypeORM's driverError, `cause`, an
 * AggregateError's errors, graphql-js's NonErrorThrown (`thrownValue`: what a
 * resolver threw that was not an Error of its realm), bounded.
 */
function causes(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [error];
  while (queue.length && out.length < 10) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || out.includes(e)) continue;
    out.push(e);
    const { driverError, cause, errors, thrownValue } = e as { driverError?: unknown; cause?: unknown; errors?: unknown; thrownValue?: unknown };
    queue.push(driverError, cause, thrownValue);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return out;
}

export interface RetryTransientOptions {
  /** Gives up (rethrows the last transient error) once this much time has gone by. */
  maxWaitMs: number;
  /** Pauses between attempts, the last one repeated. */
  scheduleMs?: readonly number[];
  /** Told before each pause (for a log line). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `work` again while it fails with a transient database error, on a short
 * schedule, for at most `maxWaitMs`; any other error is thrown at once. Only
 * for work that is safe to repeat (idempotent appends, re-read-and-decide).
 */
export async function retryTransient<T>(work: (attempt: number) => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const schedule = options.scheduleMs ?? [100, 250, 500, 1000];
  const deadline = Date.now() + options.maxWaitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const pause = schedule[Math.min(attempt - 1, schedule.length - 1)];
      if (!isTransientDatabaseError(error) || Date.now() + pause > deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
