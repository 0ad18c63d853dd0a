/**
 * Per-question results of graded quiz attempts (AttemptGraded carries each
 * question's score, points and skills in clear): the learner profile's
 * results by skill and the class report's per-question statistics.
 * One row per attempt and question (progress_question_results, migration
 * 0700); an attempt graded again replaces its rows. A batch is one multi-row
 * upsert, the last grading of an attempt in the batch winning as it would one
 * event at a time.
 */
import type { QuestionResult } from '@learnstream/assessments';
import type { StoredEvent } from '@learnstream/event-store';
import type { Projection } from '@learnstream/projections';
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
    const all = [...rows.values()];
    const column = <T>(pick: (r: Row) => T) => all.map(pick);
    // text[] columns cannot be unnested from a 2-D array of ragged rows: skills travel as JSON.
    await tx.query(
      `INSERT INTO progress_question_results (attempt_id, question_id, quiz_id, course_id, school_id, learner_id, attempt_number, position, score, points,
         skills, correct, attempt_score, graded_at)
       SELECT a, q, z, c, s, l, n, p, sc, pt, ARRAY(SELECT jsonb_array_elements_text(sk)), co, ts, g
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::int[], $8::int[], $9::float8[], $10::float8[],
         $11::jsonb[], $12::text[], $13::float8[], $14::timestamptz[]) AS t(a, q, z, c, s, l, n, p, sc, pt, sk, co, ts, g)
       ON CONFLICT (attempt_id, question_id) DO UPDATE SET
         score = EXCLUDED.score, points = EXCLUDED.points, skills = EXCLUDED.skills, correct = EXCLUDED.correct,
         attempt_score = EXCLUDED.attempt_score, position = EXCLUDED.position, graded_at = EXCLUDED.graded_at`,
      [
        column((r) => r.attemptId),
        column((r) => r.questionId),
        column((r) => r.quizId),
        column((r) => r.courseId),
        column((r) => r.schoolId),
        column((r) => r.learnerId),
        column((r) => r.attemptNumber),
        column((r) => r.position),
        column((r) => r.score),
        column((r) => r.points),
        column((r) => JSON.stringify(r.skills)),
        column((r) => r.correct),
        column((r) => r.attemptScore),
        column((r) => r.gradedAt),
      ],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE progress_question_results');
  }

  /** Erasure: the results stay for the per-question statistics, under the erasure's anonymous id. */
  async forgetSubject({ userId, anonymousId }: { userId: string; anonymousId: string }, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE progress_question_results SET learner_id = $2 WHERE learner_id = $1', [userId, anonymousId]);
  }
}
