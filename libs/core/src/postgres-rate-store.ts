/**
 * An express-rate-limit Store over one PostgreSQL table (rate_limit_hits,
 * migration 1734001000100), so that every process on the database counts
 * against the same limits: two API replicas do not double an attacker's
 * budget. A fixed window per key, as express-rate-limit's MemoryStore: the
 * first hit opens it for `windowMs`; each increment is one upsert that starts
 * a new window when the old one has ended. Keys are HMAC'd (a client address
 * or a username is never stored); ended windows are deleted now and then.
 *
 * No well-kept store package fitted: @acpr/rate-limit-postgresql runs its own
 * migrations and opens its own pool (a second copy of pg), outside the
 * process's one pool and the project's migrations.
 */
import { createHmac } from 'node:crypto';
import type { Options, Store, ClientRateLimitInfo } from 'express-rate-limit';
import type pg from 'pg';

interface Row {
  hits: number;
  reset_at: Date;
}

export class PostgresRateStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    /** The HMAC key of the stored keys. */
    private readonly secret: Buffer | string,
    /** Namespaces one limit's keys from another's. */
    readonly prefix: string,
    windowMs?: number,
  ) {
    if (windowMs !== undefined) this.windowMs = windowMs;
  }

  init(options: Pick<Options, 'windowMs'>): void {
    this.windowMs = options.windowMs;
    if (!this.sweeper) {
      this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), Math.max(this.windowMs, 60_000));
      this.sweeper.unref();
    }
  }

  private key(key: string): Buffer {
    return createHmac('sha256', this.secret).update(`${this.prefix}\u0000${key}`).digest();
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT hits, reset_at FROM rate_limit_hits WHERE key = $1 AND reset_at > now()', [this.key(key)]);
    return rows[0] ? { totalHits: rows[0].hits, resetTime: rows[0].reset_at } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO rate_limit_hits AS r (key, hits, reset_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
         reset_at = CASE WHEN r.reset_at <= now() THEN excluded.reset_at ELSE r.reset_at END
       RETURNING hits, reset_at`,
      [this.key(key), this.windowMs],
    );
    return { totalHits: rows[0].hits, resetTime: rows[0].reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.pool.query('UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = $1 AND reset_at > now()', [this.key(key)]);
  }

  async resetKey(key: string): Promise<void> {
    await this.pool.query('DELETE FROM rate_limit_hits WHERE key = $1', [this.key(key)]);
  }

  /** Deletes ended windows (of every limit: the table is shared). */
  async sweep(): Promise<void> {
    await this.pool.query('DELETE FROM rate_limit_hits WHERE reset_at <= now()');
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
