import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The counters of the request limits and of the sign-in lockout, shared by
 * every process on the database (libs/core/src/postgres-rate-store.ts): a
 * fixed window per key. The key is an HMAC of what is counted (a client
 * address, a username), never the address or the name itself; a row lives
 * until its window ends and is then deleted. No school or person column:
 * nothing for row-level security to scope, and learnstream_reader gets no
 * grant on it.
 */
export class RateLimits1734001000100 implements MigrationInterface {
  name = 'RateLimits1734001000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limit_hits (
        key bytea PRIMARY KEY,
        hits integer NOT NULL,
        reset_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX rate_limit_hits_reset_at ON rate_limit_hits (reset_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rate_limit_hits');
  }
}
