import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The class report reads each participant's activity as one row (issue 15:
 * the report's p95 ≤ 30 ms on a 1,000,000-event term). It summed
 * progress_course_activity (one row per course, person and action) with
 * jsonb_object_agg at every read: ~1,800 rows for a course of 221 learners.
 *
 *   progress_class_activity  one row per course and person: own events in
 *                            the course, in all and by action (a jsonb
 *                            object action → events, as the report shows
 *                            it), and the last one.
 *
 * The progress-activity projection keeps it beside progress_course_activity,
 * in the same batch and transaction (one multi-row upsert; a batch's counts
 * are summed per course and person in JS first, then added to the stored
 * ones by ls_add_counts). Filled here from progress_course_activity (exact:
 * the same counts, summed). Erasure moves a row to the anonymous id, as the
 * other activity tables. Row-level security as progress_course_activity, the
 * scope read once per statement (see 1738020000100).
 */
export class ProgressClassActivity1739140004100 implements MigrationInterface {
  name = 'ProgressClassActivity1739140004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_class_activity (
        course_id uuid NOT NULL,
        user_id uuid NOT NULL,
        school_id uuid,
        events integer NOT NULL,
        last_at timestamptz NOT NULL,
        by_action jsonb NOT NULL,
        PRIMARY KEY (course_id, user_id)
      )`);
    await q.query('CREATE INDEX progress_class_activity_user_idx ON progress_class_activity (user_id)');
    // Counts by key, added: every key of either object, its counts summed.
    await q.query(`
      CREATE FUNCTION ls_add_counts(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT a || coalesce((SELECT jsonb_object_agg(key, coalesce((a ->> key)::int, 0) + value::int) FROM jsonb_each_text(b)), '{}'::jsonb)
      $$`);
    await q.query(`
      INSERT INTO progress_class_activity (course_id, user_id, school_id, events, last_at, by_action)
      SELECT course_id, user_id, (array_agg(school_id) FILTER (WHERE school_id IS NOT NULL))[1], sum(events)::int, max(last_at), jsonb_object_agg(action, events)
      FROM progress_course_activity GROUP BY course_id, user_id`);
    await q.query('GRANT SELECT ON progress_class_activity TO learnstream_reader');
    await q.query('ALTER TABLE progress_class_activity ENABLE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE progress_class_activity FORCE ROW LEVEL SECURITY');
    await q.query(`
      CREATE POLICY tenant_isolation ON progress_class_activity TO learnstream_reader
      USING ((SELECT ls_scope_all()) OR school_id IS NULL OR school_id = ANY ((SELECT ls_school_ids())::uuid[]))`);
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE POLICY owner_access ON progress_class_activity TO %I USING (true) WITH CHECK (true)',
          (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'progress_class_activity'));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE progress_class_activity');
    await q.query('DROP FUNCTION ls_add_counts(jsonb, jsonb)');
  }
}
