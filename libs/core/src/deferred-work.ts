/**
 * Work a request starts but does not wait for, so that its answer takes the
 * same time whatever the work finds (a parent link asked by username: whether
 * the username exists must not show in the answer, nor in how long it took).
 * The work runs after the answer is on its way, in the request's context
 * (its IP and user agent go into the events) under a request id of its own
 * (`<request id>:deferred`); a failure is logged, never thrown at anyone.
 * Nobody waits for it to retry it later, so a transient database error (a
 * terminated backend, a refused or exhausted connection) is retried here, for
 * up to DEFERRED_RETRY_MS: the work must be safe to run again.
 * The process waits for work in flight before its pools close.
 */
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { retryTransient } from '@learnstream/database';
import { currentRequest, requestContext } from './request-context';

/** How long deferred work is tried again while the database is unavailable. */
export const DEFERRED_RETRY_MS = 60_000;

@Injectable()
export class DeferredWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DeferredWork');
  private readonly inFlight = new Set<Promise<void>>();

  /** Starts `work` after the current request's answer; `what` names it in the log if it fails. */
  run(what: string, work: () => Promise<void>): void {
    const context = currentRequest();
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        retryTransient(() => (context ? requestContext.run({ ...context, requestId: `${context.requestId}:deferred` }, work) : work()), {
          maxWaitMs: DEFERRED_RETRY_MS,
          onRetry: (error, attempt) => this.logger.warn({ msg: `deferred work waiting for the database: ${what}`, attempt, error: (error as Error).message }),
        }),
      )
      .catch((error: unknown) => this.logger.error({ msg: `deferred work failed: ${what}`, error: (error as Error).message }))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Resolves when every task started so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}
