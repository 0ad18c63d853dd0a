/**
 * The assessments feature's read models as other features read them, inside
 * their TenantDb transaction (row-level security on): the quizzes of courses
 * with their questions, and how many attempts a learner used. Set-wise (arrays
 * of ids in, one statement each). The progress reports read `quizzes` and
 * `quiz_attempts` only through here.
 */
import { knownRead, query, read, runRead, type Queryable, type Read } from '@learnstream/database';
import type { Question } from '../question';

export interface QuizRecord {
  quizId: string;
  courseId: string;
  title: string;
  attemptsAllowed: number;
  questions: Question[];
}

/** The quizzes of these courses. */
export function quizzesRead(courseIds: readonly string[]): Read<QuizRecord[]> {
  if (!courseIds.length) return knownRead([]);
  return read(
    'SELECT quiz_id, course_id, title, attempts_allowed, questions FROM quizzes WHERE course_id = ANY ($1)',
    [courseIds],
    (rows: { quiz_id: string; course_id: string; title: string; attempts_allowed: number; questions: Question[] }[]) =>
      rows.map((r) => ({ quizId: r.quiz_id, courseId: r.course_id, title: r.title, attemptsAllowed: r.attempts_allowed, questions: r.questions })),
  );
}

export const readQuizzes = (db: Queryable, courseIds: readonly string[]): Promise<QuizRecord[]> => runRead(db, quizzesRead(courseIds));

/** How many attempts the learner started at each of these quizzes (a quiz without any is left out). */
export async function countAttempts(db: Queryable, learnerId: string, quizIds: readonly string[]): Promise<Map<string, number>> {
  if (!quizIds.length) return new Map();
  const rows = await query<{ quiz_id: string; used: number }>(
    db,
    'SELECT quiz_id, count(*)::int AS used FROM quiz_attempts WHERE learner_id = $1 AND quiz_id = ANY ($2) GROUP BY quiz_id',
    [learnerId, quizIds],
  );
  return new Map(rows.map((r) => [r.quiz_id, r.used]));
}

/** The titles of these quizzes, assignments and offline tests (those the reader may see), by id. */
export async function readAssessmentTitles(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await query<{ id: string; title: string }>(
    db,
    `SELECT quiz_id AS id, title FROM quizzes WHERE quiz_id = ANY ($1::uuid[])
     UNION ALL SELECT assignment_id, title FROM assignments WHERE assignment_id = ANY ($1::uuid[])
     UNION ALL SELECT offline_test_id, title FROM offline_tests WHERE offline_test_id = ANY ($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.title]));
}
