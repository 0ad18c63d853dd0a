import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inline read models (accounts, schools, memberships, parent links, courses,
 * enrolments) are written in the append's own transaction on the PostgreSQL
 * event store. `inline` marks a checkpoint whose projection was caught up and
 * handed over to the appends: its position no longer moves, the read model is
 * always current.
 */
export class InlineProjections1733000600000 implements MigrationInterface {
  name = 'InlineProjections1733000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE projection_checkpoints ADD COLUMN inline boolean NOT NULL DEFAULT false');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE projection_checkpoints DROP COLUMN inline');
  }
}
