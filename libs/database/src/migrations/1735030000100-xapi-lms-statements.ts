import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The LMS's own activity in the LRS (libs/interop/src/xapi/xapi-statements.projection.ts):
 * every event of a school's course (attempts, submissions, grades, enrolments,
 * views, imported Moodle rows) becomes a row of xapi_statements too, so that a
 * school's LRS client reads it through GET /xapi/statements. Such a row has no
 * LRS client (client_id NULL) and keeps the envelope's clear fields its
 * statement is made of:
 *
 *   event_type, action, crud, origin       the event's type and the envelope's verb
 *   object_ref_type, object_ref_id         the envelope's object
 *   real_actor_id, related_user_id         beside learner_id (the actor); erasure
 *                                          replaces all three by the anonymous id
 *
 * The projection now reads every event type: its checkpoint is reset and its
 * rows emptied, so it rebuilds from the start of the log at the next start.
 */
export class XapiLmsStatements1735030000100 implements MigrationInterface {
  name = 'XapiLmsStatements1735030000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE xapi_statements ALTER COLUMN client_id DROP NOT NULL`);
    await q.query(`
      ALTER TABLE xapi_statements
        ADD COLUMN event_type text,
        ADD COLUMN action text,
        ADD COLUMN crud char(1),
        ADD COLUMN origin text,
        ADD COLUMN object_ref_type text,
        ADD COLUMN object_ref_id uuid,
        ADD COLUMN real_actor_id uuid,
        ADD COLUMN related_user_id uuid`);
    await q.query(`CREATE INDEX xapi_statements_related_user_idx ON xapi_statements (related_user_id) WHERE related_user_id IS NOT NULL`);
    await q.query(`TRUNCATE xapi_statements`);
    await q.query(`DELETE FROM projection_dead_letters WHERE projection = 'xapi-statements'`);
    await q.query(
      `UPDATE projection_checkpoints SET position_commit = -1, position_prepare = -1, generation = generation + 1,
         events_handled = 0, rebuild_started_at = now(), updated_at = now() WHERE name = 'xapi-statements'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM xapi_statements WHERE client_id IS NULL`);
    await q.query(`DROP INDEX xapi_statements_related_user_idx`);
    await q.query(`
      ALTER TABLE xapi_statements
        DROP COLUMN event_type, DROP COLUMN action, DROP COLUMN crud, DROP COLUMN origin,
        DROP COLUMN object_ref_type, DROP COLUMN object_ref_id, DROP COLUMN real_actor_id, DROP COLUMN related_user_id`);
    await q.query(`ALTER TABLE xapi_statements ALTER COLUMN client_id SET NOT NULL`);
  }
}
