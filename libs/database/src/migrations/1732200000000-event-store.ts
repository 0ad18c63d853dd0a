import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL event store: an append-only `events` table and a `streams`
 * table holding each stream's revision (for optimistic concurrency) and metadata.
 *
 * `transaction_id` is the writing transaction's id: readers only read events of
 * transactions older than the oldest one still running, so an event committed
 * late with a lower sequence number is never skipped (see postgres adapter).
 */
export class EventStore1732200000000 implements MigrationInterface {
  name = 'EventStore1732200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL,
        metadata jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id text NOT NULL,
        stream_revision bigint NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (transaction_id, global_position),
        UNIQUE (stream_id, stream_revision),
        UNIQUE (event_id)
      )`);
    await q.query(`CREATE INDEX events_type_idx ON events (event_type)`);
    // The log is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks.
    await q.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the event log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
    await q.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE events');
    await q.query('DROP FUNCTION events_append_only');
    await q.query('DROP TABLE streams');
  }
}
