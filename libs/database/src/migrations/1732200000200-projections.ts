import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projection bookkeeping: a checkpoint per projection (moved in the same
 * transaction as the read-model rows), parked events, and the course log.
 */
export class Projections1732200000200 implements MigrationInterface {
  name = 'Projections1732200000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position_commit bigint NOT NULL DEFAULT -1,
        position_prepare bigint NOT NULL DEFAULT -1,
        generation integer NOT NULL DEFAULT 1,
        events_handled bigint NOT NULL DEFAULT 0,
        rebuild_started_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE projection_dead_letters (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        projection text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        position text NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        parked_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (projection, event_id)
      )`);
    await q.query(`
      CREATE TABLE course_log (
        event_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        occurred_at timestamptz NOT NULL,
        event_type text NOT NULL,
        action text NOT NULL,
        crud char(1) NOT NULL,
        object_type text,
        object_id uuid,
        actor_id uuid,
        real_actor_id uuid,
        related_user_id uuid,
        origin text NOT NULL,
        position text NOT NULL
      )`);
    await q.query(`CREATE INDEX course_log_course_time_idx ON course_log (course_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE course_log');
    await q.query('DROP TABLE projection_dead_letters');
    await q.query('DROP TABLE projection_checkpoints');
  }
}
