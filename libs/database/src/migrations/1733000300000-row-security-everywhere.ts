import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row-level security on every table that holds a school's or a person's rows,
 * enabled and forced (issue 12; the catalogue test in
 * libs/database/src/row-security.spec.ts keeps it so for new tables).
 *
 * - Forced: the table owner (the application's own role) meets the policies
 *   too, through one explicit `owner_access` policy for that role, instead of
 *   bypassing them silently. Any other role (learnstream_reader included,
 *   outside the policies written for it) sees nothing.
 * - Tables only the command side reads (sessions, keys, privacy requests, the
 *   access log, …) get no reader policy: learnstream_reader has no grant on
 *   them, and would see no row if it were given one.
 * - subject_flags (readable by learnstream_reader, which had no policy: every
 *   reader saw every person's flags) gets the accounts' rule: the person is in
 *   a school in scope, or is the caller or their linked child. Reports filter
 *   restricted and analytics-excluded people through two SECURITY DEFINER
 *   functions instead of reading the table under the reader's scope, so a
 *   person visible in a report's rows is always filtered, whatever their
 *   membership.
 */
const SECURED = [
  // Read models, already tenant-isolated for learnstream_reader: now forced.
  'accounts',
  'activity_completions',
  'activity_results',
  'assignment_submissions',
  'assignments',
  'completion_rules',
  'course_activities',
  'course_completions',
  'course_enrolments',
  'course_log',
  'course_resources',
  'course_sections',
  'course_staff',
  'courses',
  'gradebooks',
  'graded_activities',
  'offline_results',
  'offline_tests',
  'parent_links',
  'progress_course_activity',
  'progress_course_members',
  'progress_daily_activity',
  'progress_learners',
  'progress_question_results',
  'progress_timeline',
  'quiz_attempt_grades',
  'quiz_attempts',
  'quizzes',
  'school_classes',
  'school_memberships',
  'schools',
  'usage_daily_actors',
  'usage_registrations',
  'xapi_statements',
  // Command side only: enabled and forced, no reader policy.
  'auth_sessions',
  'refresh_tokens',
  'username_index',
  'erased_subjects',
  'erasure_receipts',
  'personal_data_access_log',
  'privacy_requests',
  'subject_events',
  'subject_keys',
  'xapi_clients',
  // Readable by learnstream_reader, with a policy below.
  'subject_flags',
];

export class RowSecurityEverywhere1733000300000 implements MigrationInterface {
  name = 'RowSecurityEverywhere1733000300000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of SECURED) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      // The table's owner, by name (the role that runs the migrations may differ from the one that owns a table).
      await q.query(`
        DO $$ BEGIN
          EXECUTE format('CREATE POLICY owner_access ON ${table} TO %I USING (true) WITH CHECK (true)',
            (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${table}'));
        END $$`);
    }
    await q.query(`
      CREATE POLICY tenant_isolation ON subject_flags TO learnstream_reader USING (
        ls_scope_all() OR user_id = ANY (ls_user_ids())
        OR EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = subject_flags.user_id AND m.school_id = ANY (ls_school_ids())))`);
    for (const [fn, column] of [
      ['ls_restricted_ids', 'restricted'],
      ['ls_analytics_excluded_ids', 'analytics_excluded'],
    ]) {
      await q.query(`
        CREATE FUNCTION ${fn}() RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS
          $$ SELECT coalesce(array_agg(user_id), '{}') FROM public.subject_flags WHERE ${column} $$`);
      await q.query(`REVOKE ALL ON FUNCTION ${fn}() FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn}() TO learnstream_reader`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ls_restricted_ids(), ls_analytics_excluded_ids()`);
    await q.query(`DROP POLICY tenant_isolation ON subject_flags`);
    for (const table of SECURED) {
      await q.query(`DROP POLICY owner_access ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    }
    for (const table of ['auth_sessions', 'refresh_tokens', 'username_index', 'erased_subjects', 'erasure_receipts', 'personal_data_access_log', 'privacy_requests', 'subject_events', 'subject_keys', 'xapi_clients', 'subject_flags']) {
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
