/**
 * Whether this process is writing to the log now: its stores note each append. A server's projection reader reads it
 * to let the requests' appends go first (small batches while they come, big ones to catch up once they stop).
 */
export class AppendActivity {
  /** performance.now() of the last append asked for here (0: none yet). */
  private last = 0;

  noteAppend(): void {
    this.last = performance.now();
  }

  /** Whether an append was asked for here in the last `ms` milliseconds. */
  within(ms: number): boolean {
    return this.last > 0 && performance.now() - this.last < ms;
  }
}

/** This process's appends (the PostgreSQL store and the group commit note theirs here). */
export const processAppends = new AppendActivity();
