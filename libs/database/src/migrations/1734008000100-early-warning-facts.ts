import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Early warning (libs/progress, projection `progress-early-warning`): the facts
 * of a course WITH their times, so that the class report can be read as of any
 * date (events whose occurredAt ≤ asOf) and the at-risk model scores what the
 * log said then. Ids, times and scores only: nothing decrypted, no names.
 *
 *   progress_ew_assessments  each assignment, quiz and offline test of a course:
 *                            title, due date (assignment dueAt, quiz closesAt,
 *                            offline test: the end of the day it was sat), when it appeared
 *   progress_ew_work         one row per submission (AssignmentSubmitted,
 *                            AttemptSubmitted) and per grade (SubmissionGraded,
 *                            AttemptGraded, OfflineResultRecorded), at its occurredAt,
 *                            with the grade, its maximum and the quiz attempt's number
 *   progress_ew_enrolments   one row per enrolment: when it began, and when it
 *                            ended (LearnerUnenrolled), so that "enrolled as of" is a filter
 *   progress_ew_settings     the school's threshold setting of the at-risk flag
 *                            (precision-first or recall-first)
 *
 * Tenant-isolated as the other progress tables; erasure deletes the person's
 * rows (forgetSubject).
 */
const TABLES = ['progress_ew_assessments', 'progress_ew_work', 'progress_ew_enrolments', 'progress_ew_settings'];

export class EarlyWarningFacts1734008000100 implements MigrationInterface {
  name = 'EarlyWarningFacts1734008000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_ew_assessments (
        assessment_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        kind text NOT NULL CHECK (kind IN ('assignment', 'quiz', 'offline_test')),
        title text NOT NULL,
        due_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX progress_ew_assessments_course_idx ON progress_ew_assessments (course_id)`);
    await q.query(`
      CREATE TABLE progress_ew_work (
        event_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        assessment_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('submitted', 'graded')),
        at timestamptz NOT NULL,
        grade double precision,
        max_grade double precision,
        attempt_number integer
      )`);
    await q.query(`CREATE INDEX progress_ew_work_course_idx ON progress_ew_work (course_id, at)`);
    await q.query(`CREATE INDEX progress_ew_work_learner_idx ON progress_ew_work (learner_id)`);
    await q.query(`
      CREATE TABLE progress_ew_enrolments (
        event_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        learner_id uuid NOT NULL,
        enrolled_at timestamptz NOT NULL,
        unenrolled_at timestamptz
      )`);
    await q.query(`CREATE INDEX progress_ew_enrolments_course_idx ON progress_ew_enrolments (course_id, learner_id)`);
    await q.query(`CREATE INDEX progress_ew_enrolments_learner_idx ON progress_ew_enrolments (learner_id)`);
    await q.query(`
      CREATE TABLE progress_ew_settings (
        school_id uuid PRIMARY KEY,
        threshold text NOT NULL CHECK (threshold IN ('precision-first', 'recall-first')),
        set_by uuid NOT NULL,
        set_at timestamptz NOT NULL
      )`);
    // The class report as of a date counts a course's own actions up to then from the timeline.
    await q.query(`CREATE INDEX progress_timeline_course_idx ON progress_timeline (course_id, occurred_at) WHERE involvement = 'actor' AND course_id IS NOT NULL`);
    await q.query(`GRANT SELECT ON ${TABLES.join(', ')} TO learnstream_reader`);
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO learnstream_reader USING (ls_scope_all() OR school_id IS NULL OR school_id = ANY (ls_school_ids()))`);
      await q.query(`
        DO $$ BEGIN
          EXECUTE format('CREATE POLICY owner_access ON ${table} TO %I USING (true) WITH CHECK (true)',
            (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${table}'));
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX progress_timeline_course_idx`);
    await q.query(`DROP TABLE ${TABLES.join(', ')}`);
  }
}
