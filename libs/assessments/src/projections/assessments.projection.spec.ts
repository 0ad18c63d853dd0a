/**
 * The assessments projection's batch handler (multi-row statements per run of
 * one kind) gives the rows that handling the same events one by one gives.
 */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope, StoredEvent } from '@learnstream/event-store';
import type { DataSource } from 'typeorm';
import { createMigratedDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { AssessmentsProjection } from './assessments.projection';

let db: TestDatabase & { dataSource: DataSource };

beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

const school = randomUUID();
const course = randomUUID();
let position = 0n;

function event(type: string, data: Record<string, unknown>): StoredEvent {
  position += 1n;
  const at = new Date(Date.UTC(2025, 5, 2, 8, 0, Number(position))).toISOString();
  const envelope: EventEnvelope = {
    occurredAt: at, actorId: null, realActorId: null, courseId: course, schoolId: school, action: 'did', crud: 'u', object: null,
    relatedUserId: null, ip: null, userAgent: null, origin: 'web', correlationId: randomUUID(), causationId: null, schemaVersion: 1,
  };
  return { id: randomUUID(), type, streamId: `test-${course}`, revision: position, position: { commit: 1n, prepare: position }, data: { ...data, at }, envelope, recordedAt: new Date(at), erased: [] };
}

function term(): StoredEvent[] {
  const quiz = randomUUID();
  const test = randomUUID();
  const essay = randomUUID();
  const [l1, l2, l3, teacher] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [a1, a2, a3] = [randomUUID(), randomUUID(), randomUUID()];
  const q = [randomUUID(), randomUUID()];
  return [
    event('QuizCreated', { quizId: quiz, courseId: course, title: 'Q', opensAt: null, closesAt: null, timeLimitSeconds: null, attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, passGrade: 5 }),
    event('AttemptStarted', { attemptId: a1, quizId: quiz, courseId: course, learnerId: l1, attemptNumber: 1, questionIds: q, deadline: null }),
    event('AttemptStarted', { attemptId: a2, quizId: quiz, courseId: course, learnerId: l2, attemptNumber: 1, questionIds: q, deadline: '2025-06-02T09:00:00.000Z' }),
    event('AttemptStarted', { attemptId: a3, quizId: quiz, courseId: course, learnerId: l3, attemptNumber: 1, questionIds: q, deadline: null }),
    event('AnswersSaved', { attemptId: a1, quizId: quiz, courseId: course, learnerId: l1, answers: [{ questionId: q[0], answer: 'a' }] }),
    event('AnswersSaved', { attemptId: a2, quizId: quiz, courseId: course, learnerId: l2, answers: [{ questionId: q[0], answer: true }, { questionId: q[1], answer: 3 }] }),
    event('AnswersSaved', { attemptId: a1, quizId: quiz, courseId: course, learnerId: l1, answers: [{ questionId: q[0], answer: 'b' }, { questionId: q[1] }] }),
    event('AttemptSubmitted', { attemptId: a1, quizId: quiz, courseId: course, learnerId: l1, automatic: false, durationSeconds: 61 }),
    event('AttemptSubmitted', { attemptId: a2, quizId: quiz, courseId: course, learnerId: l2, automatic: true, durationSeconds: 3600 }),
    event('AttemptGraded', { attemptId: a1, quizId: quiz, courseId: course, learnerId: l1, questions: [{ questionId: q[0], score: 1 }], totalScore: 1, totalPoints: 2, grade: 5, maxGrade: 10, passed: true }),
    event('AttemptGraded', { attemptId: a2, quizId: quiz, courseId: course, learnerId: l2, questions: [], totalScore: 0.5, totalPoints: 2, grade: 2.5, maxGrade: 10, passed: false }),
    event('OfflineTestCreated', { offlineTestId: test, courseId: course, title: 'Oral', maxGrade: 20, passGrade: 10, takenOn: '2025-06-01' }),
    event('OfflineResultRecorded', { offlineTestId: test, courseId: course, learnerId: l1, grade: 12, maxGrade: 20, passed: true, feedback: 'good', by: teacher, previousGrade: null }),
    event('OfflineResultRecorded', { offlineTestId: test, courseId: course, learnerId: l2, grade: 8, maxGrade: 20, passed: false, feedback: null, by: teacher, previousGrade: null }),
    event('OfflineResultRecorded', { offlineTestId: test, courseId: course, learnerId: l1, grade: 15.5, maxGrade: 20, passed: true, feedback: null, by: teacher, previousGrade: 12 }),
    event('SubmissionGraded', { assignmentId: essay, courseId: course, learnerId: l1, grade: 7, maxGrade: 10, passed: true, feedback: 'fine', by: teacher, previousGrade: null, hasSubmission: false }),
    event('SubmissionGraded', { assignmentId: essay, courseId: course, learnerId: l2, grade: 4, maxGrade: 10, passed: false, feedback: null, by: teacher, previousGrade: null, hasSubmission: false }),
    event('SubmissionGraded', { assignmentId: essay, courseId: course, learnerId: l1, grade: 9, maxGrade: 10, passed: true, feedback: null, by: teacher, previousGrade: 7, hasSubmission: false }),
  ];
}

async function rows() {
  return {
    attempts: await db.dataSource.query('SELECT * FROM quiz_attempts ORDER BY attempt_id'),
    results: await db.dataSource.query('SELECT * FROM offline_results ORDER BY offline_test_id, learner_id'),
    quizzes: await db.dataSource.query('SELECT * FROM quizzes ORDER BY quiz_id'),
    submissions: await db.dataSource.query('SELECT * FROM assignment_submissions ORDER BY assignment_id, learner_id'),
  };
}

it('handleBatch writes the rows that handle, event by event, writes', async () => {
  const p = new AssessmentsProjection();
  const events = term();
  await db.dataSource.transaction(async (tx) => {
    for (const e of events) await p.handle(e, tx);
  });
  const oneByOne = await rows();
  expect(oneByOne.attempts).toHaveLength(3);
  expect(oneByOne.results).toHaveLength(2);
  expect(oneByOne.submissions.map((r: { grade: number }) => r.grade).sort()).toEqual([4, 9]);
  await db.dataSource.transaction((tx) => p.reset(tx));
  await db.dataSource.transaction((tx) => p.handleBatch(events, tx));
  expect(await rows()).toEqual(oneByOne);
});

/** Attempts as the log usually has them: each attempt's events together (runs of one kind are one event long). */
function attemptByAttempt(): StoredEvent[] {
  const quiz = randomUUID();
  const q = [randomUUID(), randomUUID()];
  const events = [event('QuizCreated', { quizId: quiz, courseId: course, title: 'Q2', opensAt: null, closesAt: null, timeLimitSeconds: null, attemptsAllowed: 3, gradingMethod: 'highest', maxGrade: 10, passGrade: 5 })];
  const learner = randomUUID();
  for (let n = 1; n <= 3; n++) {
    const attemptId = randomUUID();
    const on = { attemptId, quizId: quiz, courseId: course, learnerId: learner };
    events.push(
      event('AttemptStarted', { ...on, attemptNumber: n, questionIds: q, deadline: null }),
      event('AnswersSaved', { ...on, answers: [{ questionId: q[0], answer: `first ${n}` }] }),
      event('AnswersSaved', { ...on, answers: [{ questionId: q[0], answer: `second ${n}` }, { questionId: q[1], answer: n }] }),
    );
    // The last attempt is left in progress.
    if (n < 3) events.push(
      event('AttemptSubmitted', { ...on, automatic: n === 2, durationSeconds: 60 * n }),
      event('AttemptGraded', { ...on, questions: [{ questionId: q[0], score: n / 2 }], totalScore: n / 2, totalPoints: 2, grade: 2.5 * n, maxGrade: 10, passed: n > 1 }),
    );
  }
  return events;
}

it('handleBatch writes attempt-by-attempt events kind by kind (four statements), with the rows handle gives', async () => {
  const p = new AssessmentsProjection();
  await db.dataSource.transaction((tx) => p.reset(tx));
  const events = attemptByAttempt();
  await db.dataSource.transaction(async (tx) => {
    for (const e of events) await p.handle(e, tx);
  });
  const oneByOne = await rows();
  expect(oneByOne.attempts).toHaveLength(3);
  expect(oneByOne.attempts.map((a: { status: string }) => a.status).sort()).toEqual(['in_progress', 'submitted', 'submitted']);
  await db.dataSource.transaction((tx) => p.reset(tx));
  const statements: string[] = [];
  await db.dataSource.transaction(async (tx) => {
    const query = tx.query.bind(tx);
    tx.query = ((sql: string, params?: unknown[]) => (statements.push(sql), query(sql, params))) as typeof tx.query;
    await p.handleBatch(events, tx);
  });
  expect(await rows()).toEqual(oneByOne);
  // The quiz, then one statement per kind of the attempts' events.
  expect(statements.length).toBe(1 + 4);

  // A save after its attempt's submission (not a lifecycle order): event by event, the same rows.
  const [started, saved, , submitted] = events.slice(1);
  const odd = [started, submitted, saved];
  await db.dataSource.transaction((tx) => p.reset(tx));
  await db.dataSource.transaction(async (tx) => {
    for (const e of odd) await p.handle(e, tx);
  });
  const oddOneByOne = await rows();
  await db.dataSource.transaction((tx) => p.reset(tx));
  await db.dataSource.transaction((tx) => p.handleBatch(odd, tx));
  expect(await rows()).toEqual(oddOneByOne);
});
