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
import { insertRows } from '@learnstream/database';
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
    await insertRows(
      tx,
      'progress_question_results',
      {
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
      },
      [...rows.values()],
      `ON CONFLICT (attempt_id, question_id) DO UPDATE SET
         score = EXCLUDED.score, points = EXCLUDED.points, skills = EXCLUDED.skills, correct = EXCLUDED.correct,
         attempt_score = EXCLUDED.attempt_score, position = EXCLUDED.position, graded_at = EXCLUDED.graded_at`,
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
