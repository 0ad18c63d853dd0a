import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `inline_append_lock(key, names)`: what an append of an inline event type
 * runs in its transaction (InlineProjections). It takes the shared advisory
 * lock of the inline read models and then, in a statement of its own (a
 * VOLATILE function reads with a fresh snapshot per statement, so it sees
 * whatever the holder of the exclusive lock committed before letting it in),
 * returns which of `names` are not written inline now: a rebuild or a
 * catch-up of them is under way, reading the log, and the append must leave
 * them alone. One round trip, as the lock alone was.
 */
export class InlineAppendLock1737020000100 implements MigrationInterface {
  name = 'InlineAppendLock1737020000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION inline_append_lock(lock_key bigint, names text[]) RETURNS text[] LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(lock_key);
        RETURN coalesce((SELECT array_agg(name) FROM projection_checkpoints WHERE name = ANY(names) AND NOT inline), '{}');
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION inline_append_lock(bigint, text[])`);
  }
}
