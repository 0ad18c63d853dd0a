import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The log's order of a course_log row: its position "commit/prepare" as two numbers. */
const LOG_ORDER = `(split_part(position, '/', 1)::bigint) DESC, (split_part(position, '/', 2)::bigint) DESC`;

/**
 * Reports (libs/reports).
 *
 * Course log: indexes for its filters, each ending in the log's order (the
 * position, newest first) so that a filtered page is an index range scan with
 * keyset pagination, and the live tail's "after this position" is one too.
 * The dates use the existing (course_id, occurred_at) index. action, crud,
 * origin and event_type have few values within a course: they filter the
 * rows of the position index.
 *
 * A platform-wide course's log rows have no school: the tenant policy lets
 * only "all schools" readers see them. A second policy admits them for the
 * courses named in the request's `learnstream.course_ids` setting, which the
 * course-log query sets to the one course whose log the access policy let the
 * caller read (its teachers). Rows of a school never pass through it.
 *
 * Usage statistics (projection `usage-activity`, clear fields only):
 *   usage_daily_actors   one row per person and UTC day on which they did
 *                        anything (any event, not under impersonation): the
 *                        number of events and of course and resource views;
 *   usage_registrations  one row per account, with its UTC day of creation.
 * They hold user ids, at the daily grain only, so that distinct counts over
 * weeks and months are right. Role, school and country are joined at request
 * time from the directory read models (school_memberships with its history,
 * accounts.country). Erasure (privacy issue): delete or pseudonymise a
 * person's rows here by user_id (indexed).
 */
export class Reports1732200000600 implements MigrationInterface {
  name = 'Reports1732200000600';

  async up(q: QueryRunner): Promise<void> {
    // --- Course log
    await q.query(`CREATE INDEX course_log_course_position_idx ON course_log (course_id, ${LOG_ORDER})`);
    await q.query(`CREATE INDEX course_log_course_actor_idx ON course_log (course_id, actor_id, ${LOG_ORDER})`);
    await q.query(`CREATE INDEX course_log_course_related_idx ON course_log (course_id, related_user_id, ${LOG_ORDER}) WHERE related_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX course_log_course_object_idx ON course_log (course_id, object_type, object_id)`);

    await q.query(`
      CREATE FUNCTION ls_course_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
        $$ SELECT coalesce(nullif(current_setting('learnstream.course_ids', true), ''), '{}')::uuid[] $$`);
    await q.query(`CREATE POLICY platform_course_staff ON course_log TO learnstream_reader USING (school_id IS NULL AND course_id = ANY (ls_course_ids()))`);

    // --- Usage statistics
    await q.query(`
      CREATE TABLE usage_daily_actors (
        day date NOT NULL,
        user_id uuid NOT NULL,
        events integer NOT NULL,
        course_views integer NOT NULL DEFAULT 0,
        resource_views integer NOT NULL DEFAULT 0,
        PRIMARY KEY (day, user_id)
      )`);
    await q.query(`CREATE INDEX usage_daily_actors_user_idx ON usage_daily_actors (user_id)`);
    await q.query(`
      CREATE TABLE usage_registrations (
        user_id uuid PRIMARY KEY,
        day date NOT NULL
      )`);
    await q.query(`CREATE INDEX usage_registrations_day_idx ON usage_registrations (day)`);
    // Aggregates over every school: only readers whose scope is all schools (platform admin, DPO).
    await q.query(`GRANT SELECT ON usage_daily_actors, usage_registrations TO learnstream_reader`);
    for (const table of ['usage_daily_actors', 'usage_registrations']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY platform_only ON ${table} TO learnstream_reader USING (ls_scope_all())`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE usage_registrations, usage_daily_actors');
    await q.query('DROP POLICY platform_course_staff ON course_log');
    await q.query('DROP FUNCTION ls_course_ids()');
    for (const index of ['course_log_course_object_idx', 'course_log_course_related_idx', 'course_log_course_actor_idx', 'course_log_course_position_idx']) {
      await q.query(`DROP INDEX ${index}`);
    }
  }
}
