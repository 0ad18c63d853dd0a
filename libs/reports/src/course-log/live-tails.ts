/**
 * The open live tails of this process, each with the AbortController that
 * ends it: the client going away aborts one, the application shutting down
 * aborts them all (and waits for them), so that no poll runs on a closing pool
 * and the HTTP server is not held open.
 */
import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

@Injectable()
export class LiveTails implements BeforeApplicationShutdown {
  private readonly running = new Map<AbortController, Promise<void>>();

  /** How many tails are open (operations, tests). */
  get open(): number {
    return this.running.size;
  }

  /** Runs `work` until it returns or `signal` aborts; `onAbort` is where the caller ties the end to its client. */
  async run(work: (signal: AbortSignal) => Promise<void>, onAbort: (abort: () => void) => void): Promise<void> {
    const controller = new AbortController();
    onAbort(() => controller.abort());
    const done = work(controller.signal).finally(() => this.running.delete(controller));
    this.running.set(controller, done.catch(() => undefined));
    await done;
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const controller of this.running.keys()) controller.abort();
    await Promise.all(this.running.values());
  }
}
