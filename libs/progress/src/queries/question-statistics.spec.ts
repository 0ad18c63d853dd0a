/**
 * Medium test: the class report's per-question statistics from the sums the progress-questions projection keeps
 * (progress_question_stats) are those of the aggregate over the first attempts they replaced (the report's asOf
 * path still runs it): on a log of several quizzes with shuffled questions, fractional scores, questions nobody's
 * score varies on, second attempts and attempts graded again (in the same batch and in a later one); a batch, one
 * event at a time and a rebuild give the same sums; a restricted learner is left out; an erased one still counts.
 */
import { randomUUID } from 'node:crypto';
import { envelopeFor } from '@learnstream/access';
import { ATTEMPT_EVENT_TYPES } from '@learnstream/assessments';
import type { NewEvent, Position } from '@learnstream/event-store';
import { query, runRead } from '@learnstream/database';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { QuestionResultsProjection } from '../projections/question-results.projection';
import { questionStatisticsRead, type QuestionStatisticsRow } from './question-statistics';

const school = randomUUID();
const course = randomUUID();
const learners = Array.from({ length: 9 }, () => randomUUID());
const quizzes = Array.from({ length: 3 }, () => ({ quizId: randomUUID(), questions: Array.from({ length: 4 }, () => randomUUID()) }));
const POINTS = [1, 2, 3, 0.5];

/** A deterministic stream of numbers in [0, 1). */
function numbers(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function graded(attemptId: string, quiz: (typeof quizzes)[number], learnerId: string, attemptNumber: number, next: () => number, day: number): NewEvent {
  // The questions in an order of their own (a shuffled quiz); the last one scored the same by everyone (no discrimination).
  const order = [...quiz.questions.keys()].sort((a, b) => (a * 7 + attemptNumber + Math.floor(next() * 3)) % 4 - ((b * 7 + attemptNumber) % 4));
  const questions = order.map((i) => {
    const points = POINTS[i];
    const score = i === 3 ? 0.5 : Math.round(next() * points * 3) / 3;
    return { questionId: quiz.questions[i], score, points, skills: ['s'], correct: score === points ? true : score === 0 ? false : 'partial' };
  });
  const totalScore = questions.reduce((a, q) => a + q.score, 0);
  const totalPoints = POINTS.reduce((a, b) => a + b, 0);
  const at = new Date(Date.UTC(2025, 2, day, 10)).toISOString();
  return {
    type: 'AttemptGraded',
    data: { attemptId, quizId: quiz.quizId, courseId: course, learnerId, attemptNumber, questions, totalScore, totalPoints, grade: Math.round((totalScore / totalPoints) * 10 * 1e5) / 1e5, maxGrade: 10, passed: null, at },
    envelope: envelopeFor({ userId: learnerId, realActorId: null, request: null }, { action: 'graded', crud: 'u', object: { type: 'attempt', id: attemptId }, relatedUserId: learnerId, courseId: course, schoolId: school, occurredAt: at }),
  };
}

describe('per-question statistics from progress_question_stats (PostgreSQL)', () => {
  let f: EventLogFixture;
  let last: Position;
  const projection = new QuestionResultsProjection();
  const stats = () => query<Record<string, unknown>>(f.dataSource, 'SELECT * FROM progress_question_stats ORDER BY course_id, quiz_id, question_id, position');
  // The asOf path aggregates the first attempts themselves (as the live report did before the sums).
  const aggregated = () => runRead(f.dataSource, questionStatisticsRead(course, new Date('2100-01-01T00:00:00.000Z')));
  const fromSums = () => runRead(f.dataSource, questionStatisticsRead(course, null));
  // To 9 decimals (the sums are exact, the aggregate's float8 arithmetic is not; the report shows 3), -0 as 0 (as JSON writes it).
  const decimals = (x: number | string) => Number(Number(x).toFixed(9)) + 0;
  const comparable = (rows: QuestionStatisticsRow[]) =>
    rows
      .map((r) => ({
        quiz: r.quiz_id,
        question: r.question_id,
        position: Number(r.position),
        learners: r.learners,
        meanScore: decimals(r.mean_score),
        points: decimals(r.points),
        facility: decimals(r.facility),
        discrimination: r.discrimination === null ? null : decimals(r.discrimination),
      }))
      .sort((a, b) => a.quiz.localeCompare(b.quiz) || a.question.localeCompare(b.question));

  async function run(batchSize: number, rebuild: boolean) {
    const runner = new ProjectionRunner(f.dataSource, f.log, [projection], { batchSize, idleCheckMs: 50 });
    if (rebuild) await runner.rebuild(projection.name);
    await runner.start();
    await runner.waitFor(last);
    await runner.stop();
    return stats();
  }

  beforeAll(async () => {
    f = await createEventLogFixture([...ATTEMPT_EVENT_TYPES]);
    const next = numbers(42);
    let day = 1;
    const regraded: [string, (typeof quizzes)[number], string][] = [];
    for (const quiz of quizzes) {
      for (const [k, learnerId] of learners.entries()) {
        if (k === 0 && quiz === quizzes[2]) continue; // one learner never took the last quiz
        const attemptId = randomUUID();
        last = (await f.log.append(`quiz_attempts-${attemptId}`, [graded(attemptId, quiz, learnerId, 1, next, day)])).position;
        // Graded again at once (the same batch), and some later (a later batch).
        if (k % 3 === 0) last = (await f.log.append(`quiz_attempts-${attemptId}`, [graded(attemptId, quiz, learnerId, 1, next, day)])).position;
        if (k % 4 === 1) regraded.push([attemptId, quiz, learnerId]);
        if (k % 2 === 0) {
          const second = randomUUID();
          last = (await f.log.append(`quiz_attempts-${second}`, [graded(second, quiz, learnerId, 2, next, day + 1)])).position;
        }
      }
      day += 2;
    }
    for (const [attemptId, quiz, learnerId] of regraded) last = (await f.log.append(`quiz_attempts-${attemptId}`, [graded(attemptId, quiz, learnerId, 1, next, day)])).position;
  });
  afterAll(() => f.close());

  it('the sums give the aggregate of the first attempts; a batch, one event at a time and a rebuild give the same sums', async () => {
    const live = await run(500, false);
    expect(live.length).toBeGreaterThanOrEqual(12);
    const expected = comparable(await aggregated());
    expect(expected).toHaveLength(12);
    expect(expected.filter((q) => q.discrimination === null)).toHaveLength(3);
    expect(expected.filter((q) => q.discrimination !== null)).toHaveLength(9);
    expect(comparable(await fromSums())).toEqual(expected);

    expect(await run(1, true)).toEqual(live);
    expect(await run(7, true)).toEqual(live);
    expect(comparable(await fromSums())).toEqual(expected);
  });

  it('a restricted learner is left out of the sums as of the aggregate; an erased one stays under the anonymous id', async () => {
    const everyone = comparable(await fromSums());
    await query(f.dataSource, `INSERT INTO subject_flags (user_id, restricted, updated_at) VALUES ($1, true, now())`, [learners[1]]);
    const restricted = comparable(await fromSums());
    expect(restricted).toEqual(comparable(await aggregated()));
    // Learner 1 took every quiz.
    expect(restricted.map((q) => q.learners)).toEqual(everyone.map((q) => q.learners - 1));
    await query(f.dataSource, 'DELETE FROM subject_flags WHERE user_id = $1', [learners[1]]);

    await f.dataSource.transaction((tx) => projection.forgetSubject({ userId: learners[2], anonymousId: randomUUID() }, tx));
    expect(comparable(await fromSums())).toEqual(everyone);
    expect(JSON.stringify(await stats())).not.toContain(learners[2]);
  });
});
