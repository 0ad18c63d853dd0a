import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assessment and grade read models.
 *
 * Assessments (projection `assessments`): quizzes with their questions,
 * attempts with their saved answers and results, assignments and
 * submissions, offline tests and their results. Answers, submission texts and
 * feedback are the learner's personal data, held in clear here as in every
 * read model, and gone from a rebuild once the learner is erased.
 *
 * Grades (projection `grades`): each course's gradebook state, the activity
 * results that feed it (per activity and learner, a quiz's final grade by its
 * grading method), completion rules and who completed what.
 *
 * Tenant-isolated like the course tables (migration 0400).
 */
export class Assessments1732200000500 implements MigrationInterface {
  name = 'Assessments1732200000500';

  async up(q: QueryRunner): Promise<void> {
    // --- Assessments
    await q.query(`
      CREATE TABLE quizzes (
        quiz_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        title text NOT NULL,
        opens_at timestamptz,
        closes_at timestamptz,
        time_limit_seconds integer,
        attempts_allowed integer NOT NULL,
        grading_method text NOT NULL,
        max_grade double precision NOT NULL,
        pass_grade double precision,
        questions jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX quizzes_course_idx ON quizzes (course_id)`);
    await q.query(`
      CREATE TABLE quiz_attempts (
        attempt_id uuid PRIMARY KEY,
        quiz_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        learner_id uuid NOT NULL,
        attempt_number integer NOT NULL,
        status text NOT NULL CHECK (status IN ('in_progress', 'submitted')),
        question_ids jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        deadline timestamptz,
        submitted_at timestamptz,
        automatic boolean,
        duration_seconds integer,
        answers jsonb NOT NULL DEFAULT '{}',
        results jsonb,
        total_score double precision,
        total_points double precision,
        grade double precision,
        max_grade double precision,
        passed boolean,
        last_reviewed_at timestamptz
      )`);
    await q.query(`CREATE INDEX quiz_attempts_quiz_idx ON quiz_attempts (quiz_id, learner_id)`);
    await q.query(`
      CREATE TABLE assignments (
        assignment_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        title text NOT NULL,
        instructions text,
        submission_types jsonb NOT NULL,
        due_at timestamptz,
        cutoff_at timestamptz,
        max_grade double precision NOT NULL,
        pass_grade double precision,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX assignments_course_idx ON assignments (course_id)`);
    await q.query(`
      CREATE TABLE assignment_submissions (
        assignment_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        status text NOT NULL CHECK (status IN ('submitted', 'graded', 'reopened')),
        submission_number integer NOT NULL DEFAULT 0,
        text text,
        file_refs jsonb NOT NULL DEFAULT '[]',
        late boolean,
        late_by_seconds integer,
        submitted_at timestamptz,
        grade double precision,
        max_grade double precision,
        passed boolean,
        feedback text,
        graded_by uuid,
        graded_at timestamptz,
        PRIMARY KEY (assignment_id, learner_id)
      )`);
    await q.query(`
      CREATE TABLE offline_tests (
        offline_test_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        title text NOT NULL,
        max_grade double precision NOT NULL,
        pass_grade double precision,
        taken_on date NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX offline_tests_course_idx ON offline_tests (course_id)`);
    await q.query(`
      CREATE TABLE offline_results (
        offline_test_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        grade double precision NOT NULL,
        max_grade double precision NOT NULL,
        passed boolean,
        feedback text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (offline_test_id, learner_id)
      )`);

    // --- Grades and completion
    await q.query(`
      CREATE TABLE gradebooks (
        course_id uuid PRIMARY KEY,
        school_id uuid,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE graded_activities (
        activity_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        kind text NOT NULL CHECK (kind IN ('quiz', 'assignment', 'offline')),
        max_grade double precision NOT NULL,
        pass_grade double precision,
        grading_method text
      )`);
    await q.query(`
      CREATE TABLE quiz_attempt_grades (
        attempt_id uuid PRIMARY KEY,
        quiz_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        learner_id uuid NOT NULL,
        attempt_number integer NOT NULL,
        grade double precision NOT NULL,
        max_grade double precision NOT NULL
      )`);
    await q.query(`CREATE INDEX quiz_attempt_grades_quiz_idx ON quiz_attempt_grades (quiz_id, learner_id)`);
    await q.query(`
      CREATE TABLE activity_results (
        activity_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        course_id uuid NOT NULL,
        school_id uuid,
        kind text NOT NULL,
        grade double precision NOT NULL,
        max_grade double precision NOT NULL,
        passed boolean,
        graded_at timestamptz NOT NULL,
        PRIMARY KEY (activity_id, learner_id)
      )`);
    await q.query(`CREATE INDEX activity_results_course_idx ON activity_results (course_id, learner_id)`);
    await q.query(`
      CREATE TABLE completion_rules (
        course_id uuid PRIMARY KEY,
        school_id uuid,
        rules jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE activity_completions (
        course_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        activity_id uuid NOT NULL,
        school_id uuid,
        rule text NOT NULL,
        completed_at timestamptz NOT NULL,
        PRIMARY KEY (course_id, learner_id, activity_id)
      )`);
    await q.query(`
      CREATE TABLE course_completions (
        course_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        school_id uuid,
        completed_at timestamptz NOT NULL,
        PRIMARY KEY (course_id, learner_id)
      )`);

    const tables = [
      'quizzes', 'quiz_attempts', 'assignments', 'assignment_submissions', 'offline_tests', 'offline_results',
      'gradebooks', 'graded_activities', 'quiz_attempt_grades', 'activity_results', 'completion_rules', 'activity_completions', 'course_completions',
    ];
    await q.query(`GRANT SELECT ON ${tables.join(', ')} TO learnstream_reader`);
    for (const table of tables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO learnstream_reader USING (ls_scope_all() OR school_id IS NULL OR school_id = ANY (ls_school_ids()))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE course_completions, activity_completions, completion_rules, activity_results, quiz_attempt_grades, graded_activities, gradebooks,
        offline_results, offline_tests, assignment_submissions, assignments, quiz_attempts, quizzes`);
  }
}
