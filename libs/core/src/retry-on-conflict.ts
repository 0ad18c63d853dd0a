/**
 * Commands decide on the state they read and append with that state's
 * revision as the expected revision. When another command got in first the
 * append fails with CONCURRENCY_CONFLICT; the command is then decided again on
 * the new state. Nobody who did nothing wrong should be refused because others
 * wrote to the same stream at the same moment (4 teachers recording results on
 * one test, many learners enrolling in one course): the command is tried again
 * with a growing, randomised pause (full jitter, capped) until it succeeds or
 * `withinMs` have passed, so that contention delays a command but does not
 * refuse it. A caller may bound the attempts instead (`attempts`).
 */
import { WrongExpectedRevisionError } from '@learnstream/event-store';

export interface RetryOnConflictOptions {
  /** At most this many attempts (default: as many as fit in `withinMs`). */
  attempts?: number;
  /** Tries again until this long after the first attempt (default 60 s: on a loaded machine one attempt on a busy stream can take a second). */
  withinMs?: number;
}

/** The pause before attempt `i + 1`: random up to 5 ms × 2^i, at most 250 ms. */
const pauseMs = (i: number) => Math.floor(Math.random() * Math.min(250, 5 * 2 ** i));

export async function retryOnConflict<T>(attempt: () => Promise<T>, options: number | RetryOnConflictOptions = {}): Promise<T> {
  const { attempts = Number.POSITIVE_INFINITY, withinMs = 60_000 } = typeof options === 'number' ? { attempts: options, withinMs: Number.POSITIVE_INFINITY } : options;
  const deadline = Date.now() + withinMs;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || i >= attempts || Date.now() >= deadline) throw error;
      await new Promise((r) => setTimeout(r, pauseMs(i)));
    }
  }
}
