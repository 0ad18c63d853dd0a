import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The class report's per-question statistics from a read model (issue 15:
 * the report's p95 ≤ 30 ms on a 1,000,000-event term). It aggregated every
 * first attempt of the course at every read: ~4,500 rows of
 * progress_question_results for a course of 221 learners, ~4 ms of the
 * database's time per report.
 *
 *   progress_question_stats  one row per course, quiz, question and place in
 *                            the attempt: over the first attempts, how many,
 *                            and the sums the report's figures come from
 *                            (score, points, score / points, the rest of the
 *                            attempt's score, their squares and product).
 *
 * Sums in numeric, of each float8 as numeric: exact, so that a regraded
 * attempt (its old values taken out, its new ones added) or a restricted
 * learner's results taken out at read time leave exactly the sums of the
 * rest (a question nobody's score varies on keeps a variance of exactly 0:
 * no discrimination, as corr() gives). trim_scale() keeps a value's text the
 * same whatever order it was summed in.
 *
 * The progress-questions projection keeps it in the statement that writes
 * progress_question_results (the rows it replaces taken out, those it writes
 * added). Filled here from progress_question_results. No person in it (the
 * results' learner ids stay in progress_question_results): nothing to erase.
 * Row-level security as progress_question_results, the scope read once per
 * statement (see 1738020000100).
 */
export class ProgressQuestionStats1739600000100 implements MigrationInterface {
  name = 'ProgressQuestionStats1739600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_question_stats (
        course_id uuid NOT NULL,
        quiz_id uuid NOT NULL,
        question_id uuid NOT NULL,
        position integer NOT NULL,
        school_id uuid,
        learners integer NOT NULL,
        score numeric NOT NULL,
        score_squares numeric NOT NULL,
        points numeric NOT NULL,
        facility numeric NOT NULL,
        rest numeric NOT NULL,
        rest_squares numeric NOT NULL,
        score_rest numeric NOT NULL,
        PRIMARY KEY (course_id, quiz_id, question_id, position)
      )`);
    await q.query(`
      INSERT INTO progress_question_stats (course_id, quiz_id, question_id, position, school_id, learners, score, score_squares, points, facility, rest, rest_squares, score_rest)
      SELECT course_id, quiz_id, question_id, position, (array_agg(school_id) FILTER (WHERE school_id IS NOT NULL))[1], count(*)::int,
        trim_scale(sum(s)), trim_scale(sum(s * s)), trim_scale(sum(p)), trim_scale(sum(f)), trim_scale(sum(y)), trim_scale(sum(y * y)), trim_scale(sum(s * y))
      FROM (SELECT course_id, quiz_id, question_id, position, school_id, score::numeric AS s, points::numeric AS p, (score / points)::numeric AS f, (attempt_score - score)::numeric AS y
            FROM progress_question_results WHERE attempt_number = 1) r
      GROUP BY course_id, quiz_id, question_id, position`);
    await q.query('GRANT SELECT ON progress_question_stats TO learnstream_reader');
    await q.query('ALTER TABLE progress_question_stats ENABLE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE progress_question_stats FORCE ROW LEVEL SECURITY');
    await q.query(`
      CREATE POLICY tenant_isolation ON progress_question_stats TO learnstream_reader
      USING ((SELECT ls_scope_all()) OR school_id IS NULL OR school_id = ANY ((SELECT ls_school_ids())::uuid[]))`);
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE POLICY owner_access ON progress_question_stats TO %I USING (true) WITH CHECK (true)',
          (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'progress_question_stats'));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE progress_question_stats');
  }
}
