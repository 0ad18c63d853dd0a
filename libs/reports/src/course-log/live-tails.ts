/**
 * The open live tails of this process, each with the AbortController that
 * ends it: the client going away aborts one, the application shutting down
 * aborts them all (and waits for them), so that no poll runs on a closing pool
 * and the HTTP server is not held open.
 * Each tail polls the table, so a person holds at most `max` open at once: a
 * client that opened tails without closing them (3,000 a minute are within the
 * rate limit) made thousands of scans a second and starved every request of the
 * pool. Past it: 429 TOO_MANY_REQUESTS, before anything is sent or read.
 */
import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiError } from '@learnstream/core';

@Injectable()
export class LiveTails implements BeforeApplicationShutdown {
  private readonly running = new Map<AbortController, Promise<void>>();
  private readonly byOwner = new Map<string, number>();

  /** How many tails are open (operations, tests). */
  get open(): number {
    return this.running.size;
  }

  /**
   * Runs `work` until it returns or `signal` aborts; `onAbort` is where the caller ties the end to its client.
   * With `limit`, refuses (429) a tail past `limit.max` open ones of `limit.owner`.
   */
  async run(work: (signal: AbortSignal) => Promise<void>, onAbort: (abort: () => void) => void, limit?: { owner: string; max: number }): Promise<void> {
    const owner = limit?.owner;
    if (limit) {
      const open = this.byOwner.get(limit.owner) ?? 0;
      if (open >= limit.max) throw new ApiError(429, 'TOO_MANY_REQUESTS', `at most ${limit.max} live logs may be open at once: close one first`);
      this.byOwner.set(limit.owner, open + 1);
    }
    const controller = new AbortController();
    onAbort(() => controller.abort());
    const done = work(controller.signal).finally(() => {
      this.running.delete(controller);
      if (owner === undefined) return;
      const left = (this.byOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.byOwner.set(owner, left);
      else this.byOwner.delete(owner);
    });
    this.running.set(controller, done.catch(() => undefined));
    await done;
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const controller of this.running.keys()) controller.abort();
    await Promise.all(this.running.values());
  }
}
