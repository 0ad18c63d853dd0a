import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Progress reports (libs/progress): the learner profile, the class report and
 * the school report read these tables, written by two projections from the
 * clear fields of the log (ids, the envelope, scores and skills: nothing is
 * decrypted, nothing here is a name or a free text).
 *
 * Projection `progress-activity` (every event):
 *   progress_timeline          one row per event and person it involves: its
 *                              actor, and its related user when another person
 *                              (the learner graded, the learner whose profile was
 *                              read). The profile's activity timeline, newest
 *                              first by log position (keyset pagination).
 *   progress_course_activity   per course, person and action (verb): how many
 *                              events and the last one. Own actions only: not
 *                              under impersonation, not by the system.
 *   progress_daily_activity    per UTC day, course and person: events (own
 *                              actions only). The school report's periods.
 *   progress_course_members    who was ever a learner (LearnerEnrolled) or a
 *                              teacher (CourseTeacherAssigned) of a course: the
 *                              roles of the school report, from the log itself.
 *   progress_learners          per person: last access (own action, any
 *                              course or none) and `profiling_objected`, the
 *                              objection to profiling set by the privacy
 *                              feature's ProfilingObjected / ProfilingObjectionWithdrawn.
 *
 * Projection `progress-questions` (AttemptGraded):
 *   progress_question_results  one row per graded attempt and question: score,
 *                              points, skills, and the attempt's total score (for
 *                              the rest-of-test score of the discrimination index).
 *
 * Tenant-isolated as the course tables (migration 0400). A timeline row of an
 * event without a school (a sign-in) is visible to readers of a school the
 * person belongs to, as their account is. Erasure (forgetSubject, on
 * SubjectErased): these rows hold ids and figures only; the person's own
 * timeline and flags are deleted, their counts and question results kept under
 * the erasure's anonymous id, so that course and school figures still add up.
 */
export class Progress1732200000700 implements MigrationInterface {
  name = 'Progress1732200000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_timeline (
        user_id uuid NOT NULL,
        event_id uuid NOT NULL,
        involvement text NOT NULL CHECK (involvement IN ('actor', 'related')),
        occurred_at timestamptz NOT NULL,
        position_commit bigint NOT NULL,
        position_prepare bigint NOT NULL,
        event_type text NOT NULL,
        action text NOT NULL,
        crud char(1) NOT NULL,
        course_id uuid,
        school_id uuid,
        object_type text,
        object_id uuid,
        actor_id uuid,
        real_actor_id uuid,
        related_user_id uuid,
        PRIMARY KEY (user_id, event_id)
      )`);
    await q.query(`CREATE INDEX progress_timeline_user_position_idx ON progress_timeline (user_id, position_commit DESC, position_prepare DESC)`);
    await q.query(`
      CREATE TABLE progress_course_activity (
        course_id uuid NOT NULL,
        user_id uuid NOT NULL,
        action text NOT NULL,
        school_id uuid,
        events integer NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (course_id, user_id, action)
      )`);
    await q.query(`CREATE INDEX progress_course_activity_user_idx ON progress_course_activity (user_id)`);
    await q.query(`
      CREATE TABLE progress_daily_activity (
        day date NOT NULL,
        course_id uuid NOT NULL,
        user_id uuid NOT NULL,
        school_id uuid,
        events integer NOT NULL,
        PRIMARY KEY (day, course_id, user_id)
      )`);
    await q.query(`CREATE INDEX progress_daily_activity_school_day_idx ON progress_daily_activity (school_id, day)`);
    await q.query(`
      CREATE TABLE progress_course_members (
        course_id uuid NOT NULL,
        user_id uuid NOT NULL,
        school_id uuid,
        learner boolean NOT NULL DEFAULT false,
        teacher boolean NOT NULL DEFAULT false,
        PRIMARY KEY (course_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE progress_learners (
        user_id uuid PRIMARY KEY,
        last_access_at timestamptz,
        profiling_objected boolean NOT NULL DEFAULT false,
        profiling_objected_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE progress_question_results (
        attempt_id uuid NOT NULL,
        question_id uuid NOT NULL,
        quiz_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        learner_id uuid NOT NULL,
        attempt_number integer NOT NULL,
        position integer NOT NULL,
        score double precision NOT NULL,
        points double precision NOT NULL,
        skills text[] NOT NULL,
        correct text NOT NULL,
        attempt_score double precision NOT NULL,
        graded_at timestamptz NOT NULL,
        PRIMARY KEY (attempt_id, question_id)
      )`);
    await q.query(`CREATE INDEX progress_question_results_learner_idx ON progress_question_results (learner_id, quiz_id, attempt_number)`);
    await q.query(`CREATE INDEX progress_question_results_first_idx ON progress_question_results (course_id, quiz_id) WHERE attempt_number = 1`);

    const tenant = ['progress_course_activity', 'progress_daily_activity', 'progress_course_members', 'progress_question_results'];
    await q.query(`GRANT SELECT ON ${[...tenant, 'progress_timeline', 'progress_learners'].join(', ')} TO learnstream_reader`);
    for (const table of tenant) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO learnstream_reader USING (ls_scope_all() OR school_id IS NULL OR school_id = ANY (ls_school_ids()))`);
    }
    const personVisible = (table: string) => `user_id = ANY (ls_user_ids())
        OR EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = ${table}.user_id AND m.school_id = ANY (ls_school_ids()))`;
    await q.query(`ALTER TABLE progress_timeline ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON progress_timeline TO learnstream_reader USING (
        ls_scope_all() OR school_id = ANY (ls_school_ids()) OR (school_id IS NULL AND (${personVisible('progress_timeline')})))`);
    await q.query(`ALTER TABLE progress_learners ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON progress_learners TO learnstream_reader USING (ls_scope_all() OR ${personVisible('progress_learners')})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE progress_question_results, progress_learners, progress_course_members, progress_daily_activity, progress_course_activity, progress_timeline`);
  }
}
