/**
 * Per-question results of graded quiz attempts (AttemptGraded carries each
 * question's score, points and skills in clear): the learner profile's
 * results by skill and the class report's per-question statistics.
 * One row per attempt and question (progress_question_results, migration
 * 0700); an attempt graded again replaces its rows. A batch is one multi-row
 * upsert, the last grading of an attempt in the batch winning as it would one
 * event at a time.
 *
 * In the same statement, the first attempts' sums per course, quiz, question
 * and place (progress_question_stats, migration 1739600000100, the class
 * report's live statistics): the rows it replaces taken out, those it writes
 * added (QUESTION_SUMS: the same expressions wherever the sums are made).
 */
import type { QuestionResult } from '@learnstream/assessments';
import type { StoredEvent } from '@learnstream/event-store';
import type { Projection } from '@learnstream/projections';
import { rowsSelect, type Columns } from '@learnstream/database';
import type { EntityManager } from 'typeorm';

interface Row {
  attemptId: string;
  questionId: string;
  quizId: string;
  courseId: string;
  schoolId: string | null;
  learnerId: string;
  attemptNumber: number;
  position: number;
  score: number;
  points: number;
  skills: string[];
  correct: string;
  attemptScore: number;
  gradedAt: string;
}

const COLUMNS: Columns<Row> = {
  attempt_id: ['uuid', (r) => r.attemptId],
  question_id: ['uuid', (r) => r.questionId],
  quiz_id: ['uuid', (r) => r.quizId],
  course_id: ['uuid', (r) => r.courseId],
  school_id: ['uuid', (r) => r.schoolId],
  learner_id: ['uuid', (r) => r.learnerId],
  attempt_number: ['int', (r) => r.attemptNumber],
  position: ['int', (r) => r.position],
  score: ['float8', (r) => r.score],
  points: ['float8', (r) => r.points],
  skills: ['text[]', (r) => r.skills],
  correct: ['text', (r) => r.correct],
  attempt_score: ['float8', (r) => r.attemptScore],
  graded_at: ['timestamptz', (r) => r.gradedAt],
};

/** The columns of progress_question_stats that are summed: the first attempts counted, then the sums. */
export const STAT_COLUMNS = ['learners', 'score', 'score_squares', 'points', 'facility', 'rest', 'rest_squares', 'score_rest'] as const;

/**
 * A first attempt's row `r` of progress_question_results as the terms of progress_question_stats (its key, school, and
 * STAT_COLUMNS after the count): each float8 as numeric, so that the sums are exact whatever is added or taken out.
 */
export const QUESTION_SUMS = `r.course_id, r.quiz_id, r.question_id, r.position, r.school_id, r.score::numeric AS score, r.score::numeric * r.score::numeric AS score_squares,
  r.points::numeric AS points, (r.score / r.points)::numeric AS facility, (r.attempt_score - r.score)::numeric AS rest,
  (r.attempt_score - r.score)::numeric * (r.attempt_score - r.score)::numeric AS rest_squares, r.score::numeric * (r.attempt_score - r.score)::numeric AS score_rest`;

export class QuestionResultsProjection implements Projection {
  readonly name = 'progress-questions';
  readonly eventTypes = ['AttemptGraded'];
  /** Scores, points and skills are clear (answers are not read). */
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const rows = new Map<string, Row>();
    for (const event of events) {
      const d = event.data as { attemptId: string; quizId: string; courseId: string; learnerId: string; attemptNumber: number; questions: QuestionResult[]; totalScore: number };
      d.questions.forEach((q, position) => {
        rows.set(`${d.attemptId}|${q.questionId}`, {
          attemptId: d.attemptId,
          questionId: q.questionId,
          quizId: d.quizId,
          courseId: d.courseId,
          schoolId: event.envelope.schoolId,
          learnerId: d.learnerId,
          attemptNumber: d.attemptNumber,
          position,
          score: q.score,
          points: q.points,
          skills: q.skills,
          correct: String(q.correct),
          attemptScore: d.totalScore,
          gradedAt: event.envelope.occurredAt,
        });
      });
    }
    if (!rows.size) return;
    const { names, select, params } = rowsSelect(COLUMNS, [...rows.values()]);
    // The rows replaced are looked up by their attempts' ids (a parameter: the primary key's index, whatever the batch's size; joined
    // to the CTE of the rows, the planner hashed the whole table: ~250 ms a batch on term1m).
    const attempts = [...new Set([...rows.values()].map((r) => r.attemptId))];
    await tx.query(
      `WITH t (${names.join(', ')}) AS (${select}),
       replaced AS (
         SELECT r.* FROM progress_question_results r
         WHERE r.attempt_id = ANY ($${params.length + 1}::uuid[]) AND r.attempt_number = 1 AND (r.attempt_id, r.question_id) IN (SELECT attempt_id, question_id FROM t)),
       written AS (
         INSERT INTO progress_question_results (${names.join(', ')}) SELECT * FROM t
         ON CONFLICT (attempt_id, question_id) DO UPDATE SET
           score = EXCLUDED.score, points = EXCLUDED.points, skills = EXCLUDED.skills, correct = EXCLUDED.correct,
           attempt_score = EXCLUDED.attempt_score, position = EXCLUDED.position, graded_at = EXCLUDED.graded_at
         RETURNING *),
       sums AS (
         SELECT 1 AS sign, ${QUESTION_SUMS} FROM written r WHERE r.attempt_number = 1
         UNION ALL
         SELECT -1, ${QUESTION_SUMS} FROM replaced r)
       INSERT INTO progress_question_stats (course_id, quiz_id, question_id, position, school_id, ${STAT_COLUMNS.join(', ')})
       SELECT course_id, quiz_id, question_id, position, (array_agg(school_id) FILTER (WHERE school_id IS NOT NULL))[1], sum(sign)::int,
         ${STAT_COLUMNS.slice(1).map((c) => `trim_scale(sum(sign * ${c}))`).join(', ')}
       FROM sums GROUP BY course_id, quiz_id, question_id, position
       ON CONFLICT (course_id, quiz_id, question_id, position) DO UPDATE SET school_id = coalesce(progress_question_stats.school_id, EXCLUDED.school_id),
         learners = progress_question_stats.learners + EXCLUDED.learners,
         ${STAT_COLUMNS.slice(1).map((c) => `${c} = trim_scale(progress_question_stats.${c} + EXCLUDED.${c})`).join(', ')}`,
      [...params, attempts],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE progress_question_results, progress_question_stats');
  }

  /** Erasure: the results stay for the per-question statistics, under the erasure's anonymous id (their sums hold no one's id). */
  async forgetSubject({ userId, anonymousId }: { userId: string; anonymousId: string }, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE progress_question_results SET learner_id = $2 WHERE learner_id = $1', [userId, anonymousId]);
  }
}
