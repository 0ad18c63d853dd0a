/**
 * The grades projection's batch handler gives the rows that handling the same
 * events one by one gives: graded attempts of courses without completion
 * rules written together (views, starts, submissions and other results
 * between them), those of a course with rules, and the events in between,
 * one by one, in log order.
 */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope, StoredEvent } from '@learnstream/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { createMigratedDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { GradesProjection } from './grades.projection';

let db: TestDatabase & { dataSource: DataSource };

beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

const school = randomUUID();
let position = 0n;

function event(type: string, data: Record<string, unknown> & { courseId: string }): StoredEvent {
  position += 1n;
  const at = new Date(Date.UTC(2025, 5, 2, 8, 0, Number(position))).toISOString();
  const envelope: EventEnvelope = {
    occurredAt: at, actorId: null, realActorId: null, courseId: data.courseId, schoolId: school, action: 'did', crud: 'u', object: null,
    relatedUserId: null, ip: null, userAgent: null, origin: 'web', correlationId: randomUUID(), causationId: null, schemaVersion: 1,
  };
  return { id: randomUUID(), type, streamId: `test-${data.courseId}`, revision: position, position: { commit: 1n, prepare: position }, data: { ...data, at }, envelope, recordedAt: new Date(at), erased: [] };
}

/** Two courses: `plain` without completion rules, `ruled` with a quiz that completes by passing and the course by it. */
function term(): StoredEvent[] {
  const [plain, ruled] = [randomUUID(), randomUUID()];
  const [highest, last, ruledQuiz, essay, page] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const learners = [randomUUID(), randomUUID(), randomUUID()];
  const teacher = randomUUID();
  const quiz = (quizId: string, courseId: string, gradingMethod: string) => event('QuizCreated', { quizId, courseId, title: 'Q', opensAt: null, closesAt: null, timeLimitSeconds: null, attemptsAllowed: 3, gradingMethod, maxGrade: 10, passGrade: 6 });
  const events = [
    quiz(highest, plain, 'highest'),
    quiz(last, plain, 'last'),
    quiz(ruledQuiz, ruled, 'highest'),
    event('AssignmentCreated', { assignmentId: essay, courseId: plain, title: 'E', maxGrade: 20, passGrade: 10 }),
    event('ActivityCompletionRuleSet', { courseId: ruled, activityId: ruledQuiz, kind: 'quiz', rule: 'passed' }),
    event('CourseCompletionCriteriaSet', { courseId: ruled, requireAll: 'all', minimumCourseGradePercentage: null }),
  ];
  // Attempt by attempt, two or three per learner and quiz, views and an assignment's grades between them.
  let n = 0;
  for (const [k, learnerId] of learners.entries()) {
    for (const [quizId, courseId] of [[highest, plain], [last, plain], [ruledQuiz, ruled]]) {
      for (let attemptNumber = 1; attemptNumber <= 2 + (k % 2); attemptNumber++) {
        const attemptId = randomUUID();
        const grade = (n++ * 7) % 11;
        const on = { attemptId, quizId, courseId, learnerId, attemptNumber };
        events.push(
          event('ResourceViewed', { courseId, resourceId: page, userId: learnerId }),
          event('AttemptStarted', { ...on, questionIds: [], deadline: null }),
          event('AttemptSubmitted', { ...on, automatic: false, durationSeconds: 30 }),
          event('AttemptGraded', { ...on, questions: [], totalScore: grade, totalPoints: 10, grade, maxGrade: 10, passed: grade >= 6 }),
        );
      }
    }
    events.push(event('SubmissionGraded', { assignmentId: essay, courseId: plain, learnerId, grade: 8 + k * 4, maxGrade: 20, passed: 8 + k * 4 >= 10, feedback: null, by: teacher, previousGrade: null, hasSubmission: false }));
  }
  // A quiz's settings changed in the middle of the plain course's grading, then more attempts.
  events.push(event('QuizSettingsUpdated', { quizId: last, courseId: plain, changes: { gradingMethod: 'highest' } }));
  const again = randomUUID();
  events.push(event('AttemptGraded', { attemptId: again, quizId: last, courseId: plain, learnerId: learners[0], attemptNumber: 9, questions: [], totalScore: 1, totalPoints: 10, grade: 1, maxGrade: 10, passed: false }));
  events.push(event('AttemptGraded', { attemptId: again, quizId: last, courseId: plain, learnerId: learners[0], attemptNumber: 9, questions: [], totalScore: 9, totalPoints: 10, grade: 9, maxGrade: 10, passed: true }));
  return events;
}

async function rows() {
  const all = async (table: string, order: string) => db.dataSource.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  return {
    attempts: await all('quiz_attempt_grades', 'attempt_id'),
    results: await all('activity_results', 'activity_id, learner_id'),
    activities: await all('graded_activities', 'activity_id'),
    completions: await all('activity_completions', 'course_id, learner_id, activity_id'),
    courses: await all('course_completions', 'course_id, learner_id'),
  };
}

it('handleBatch writes the rows that handle, event by event, writes, in fewer statements', async () => {
  const p = new GradesProjection();
  const events = term();
  const count = async (work: (tx: EntityManager) => Promise<void>) => {
    let statements = 0;
    await db.dataSource.transaction(async (tx) => {
      const query = tx.query.bind(tx);
      tx.query = ((sql: string, params?: unknown[]) => (statements++, query(sql, params))) as typeof tx.query;
      await work(tx);
    });
    return statements;
  };
  const oneByOneStatements = await count(async (tx) => {
    for (const e of events) await p.handle(e, tx);
  });
  const oneByOne = await rows();
  expect(oneByOne.results.length).toBe(3 * 3 + 3);
  expect(oneByOne.completions.length).toBeGreaterThan(0);
  await db.dataSource.transaction((tx) => p.reset(tx));
  const batchStatements = await count((tx) => p.handleBatch(events, tx));
  expect(await rows()).toEqual(oneByOne);
  expect(batchStatements).toBeLessThan(oneByOneStatements / 2);
});
