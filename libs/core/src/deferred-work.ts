/**
 * Work a request starts but does not wait for, so that its answer takes the
 * same time whatever the work finds (a parent link asked by username: whether
 * the username exists must not show in the answer, nor in how long it took).
 * The work runs after the answer is on its way, for the caller (`by`, the
 * actor of the request: its IP and user agent go into the events) under a
 * request id of its own (`<request id>:deferred`); a failure is logged, with
 * that id, never thrown at anyone.
 * Nobody waits for it to retry it later, so a transient database error (a
 * terminated backend, a refused or exhausted connection) is retried here, for
 * up to DEFERRED_RETRY_MS: the work must be safe to run again.
 * The process waits for work in flight before its pools close.
 */
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { retryTransient } from '@learnstream/database';
import type { RequestContext } from './request-context';

/** How long deferred work is tried again while the database is unavailable. */
export const DEFERRED_RETRY_MS = 60_000;

@Injectable()
export class DeferredWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DeferredWork');
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * Starts `work` after the answer to `by`'s request; `work` is given `by`
   * with the request id `<request id>:deferred`. `what` names it in the log if it fails.
   */
  run<By extends { readonly request: RequestContext | null }>(what: string, by: By, work: (by: By) => Promise<void>): void {
    const request = by.request && { ...by.request, requestId: `${by.request.requestId}:deferred` };
    const later: By = { ...by, request };
    const requestId = request?.requestId;
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        retryTransient(() => work(later), {
          maxWaitMs: DEFERRED_RETRY_MS,
          onRetry: (error, attempt) => this.logger.warn({ msg: `deferred work waiting for the database: ${what}`, requestId, attempt, error: (error as Error).message }),
        }),
      )
      .catch((error: unknown) => this.logger.error({ msg: `deferred work failed: ${what}`, requestId, error: (error as Error).message }))
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
