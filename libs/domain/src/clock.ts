/**
 * "Now", in one place. Handlers, services and queries that need the time take a
 * `Clock` (Nest injects it by this class: `constructor(private readonly clock: Clock)`,
 * provided by CoreModule), plain functions take it as an argument. Deciders never
 * read it: the time comes in their command (STYLE.md).
 *
 * Production uses the system clock; tests give the application a `TestClock`
 * and move it (`advance`) instead of sleeping until a deadline has passed.
 */
export abstract class Clock {
  abstract now(): Date;

  /** `now()` as an ISO-8601 timestamp, the form events and commands carry. */
  nowIso(): string {
    return this.now().toISOString();
  }

  /** Today's date in UTC, `YYYY-MM-DD`. */
  today(): string {
    return this.nowIso().slice(0, 10);
  }
}

/** The wall clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** The clock every process uses unless it is given another (one instance, no state). */
export const systemClock: Clock = new SystemClock();

/**
 * A clock tests control: it follows the wall clock shifted by what the test has
 * advanced it, or stands still at a time the test set.
 */
export class TestClock extends Clock {
  private offsetMs = 0;
  private fixedMs: number | null = null;

  constructor(at?: Date | string) {
    super();
    if (at !== undefined) this.set(at);
  }

  now(): Date {
    return new Date((this.fixedMs ?? Date.now()) + this.offsetMs);
  }

  /** Moves the clock forward (or, with a negative amount, back) by `ms` milliseconds. */
  advance(ms: number): this {
    this.offsetMs += ms;
    return this;
  }

  /** Stops the clock at `at`; `advance` moves it from there. */
  set(at: Date | string): this {
    const ms = new Date(at).getTime();
    if (Number.isNaN(ms)) throw new TypeError(`TestClock.set: not a time: ${String(at)}`);
    this.fixedMs = ms;
    this.offsetMs = 0;
    return this;
  }
}
