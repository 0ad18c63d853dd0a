/**
 * The class report's per-question statistics (rules.QUESTION_STATISTICS_TEXT) over each learner's first attempt,
 * restricted learners left out.
 *
 * Live: from the sums of progress_question_stats (the progress-questions projection keeps them), less the restricted
 * learners' first attempts (read from progress_question_results with the same expressions, QUESTION_SUMS; there are
 * seldom any), in numeric: exact, so the counts, means and the correlation's variances are those of the rows left.
 * As of a date: aggregated from the first attempts graded by then (progress_question_results), as before the sums.
 */
import { read, type Read } from '@learnstream/database';
import { QUESTION_SUMS, STAT_COLUMNS } from '../projections/question-results.projection';
import { notRestricted } from './read-models';

/** The aggregates' types follow the columns' (numeric comes back as a string): read through Number(). */
export interface QuestionStatisticsRow {
  quiz_id: string;
  question_id: string;
  position: number | string;
  learners: number;
  mean_score: number | string;
  points: number | string;
  facility: number | string;
  discrimination: number | string | null;
}

const SUMMED = STAT_COLUMNS.slice(1);

export function questionStatisticsRead(courseId: string, asOf: Date | null): Read<QuestionStatisticsRow[]> {
  if (asOf) {
    return read<QuestionStatisticsRow>(
      `SELECT quiz_id, question_id, min(position) AS position, count(*)::int AS learners, avg(score) AS mean_score, avg(points) AS points,
         avg(score / points) AS facility, corr(score, attempt_score - score) AS discrimination
       FROM progress_question_results WHERE course_id = $1 AND attempt_number = 1 AND ${notRestricted('learner_id')} AND graded_at <= $2
       GROUP BY quiz_id, question_id`,
      [courseId, asOf],
    );
  }
  // corr() as PostgreSQL defines it (null when either variance is 0), on the exact sums: n·Σxy − Σx·Σy over the root of
  // (n·Σx² − (Σx)²)·(n·Σy² − (Σy)²), x the question's score, y the rest of the attempt's.
  const sxx = 'n * score_squares - score * score';
  const syy = 'n * rest_squares - rest * rest';
  return read<QuestionStatisticsRow>(
    `WITH terms AS (
       SELECT quiz_id, question_id, position, learners, ${SUMMED.join(', ')} FROM progress_question_stats WHERE course_id = $1
       UNION ALL
       SELECT quiz_id, question_id, position, -1, ${SUMMED.map((c) => `-${c}`).join(', ')}
       FROM (SELECT ${QUESTION_SUMS} FROM progress_question_results r
             WHERE r.course_id = $1 AND r.attempt_number = 1 AND r.learner_id = ANY ((SELECT ls_restricted_ids())::uuid[])) restricted),
     places AS (
       SELECT quiz_id, question_id, position, sum(learners) AS n, ${SUMMED.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM terms GROUP BY quiz_id, question_id, position HAVING sum(learners) > 0),
     questions AS (
       SELECT quiz_id, question_id, min(position) AS position, sum(n) AS n, ${SUMMED.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM places GROUP BY quiz_id, question_id)
     SELECT quiz_id, question_id, position, n::int AS learners, (score / n)::float8 AS mean_score, (points / n)::float8 AS points,
       (facility / n)::float8 AS facility,
       CASE WHEN ${sxx} = 0 OR ${syy} = 0 THEN NULL ELSE ((n * score_rest - score * rest) / sqrt((${sxx}) * (${syy})))::float8 END AS discrimination
     FROM questions`,
    [courseId],
  );
}
