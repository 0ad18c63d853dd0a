/**
 * Medium tests: the progress projections on a real PostgreSQL, fed by a real
 * EventLog. The rows are the ones worked out by hand below; applying the log
 * in batches (handleBatch, catch-up) and one event at a time (batch size 1)
 * gives the same rows; a rebuild from zero too.
 */
import { randomUUID } from 'node:crypto';
import { envelopeFor, type EnvelopeFields } from '@learnstream/access';
import { ATTEMPT_EVENT_TYPES } from '@learnstream/assessments';
import { COURSE_EVENT_TYPES, COURSE_VIEW_EVENT_TYPES, ENROLMENT_EVENT_TYPES } from '@learnstream/courses';
import type { NewEvent, Position } from '@learnstream/event-store';
import { query } from '@learnstream/database';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { PROGRESS_EVENT_TYPES } from '../progress.events';
import { LearnerActivityProjection } from './learner-activity.projection';
import { QuestionResultsProjection } from './question-results.projection';
import { EarlyWarningProjection } from './early-warning.projection';

const PROFILING_TYPES = ['ProfilingObjected', 'ProfilingObjectionWithdrawn'].map((type) => ({ type, version: 1, validate: () => [] }));
const TABLES: Record<string, string> = {
  progress_timeline: 'user_id, event_id',
  progress_course_activity: 'course_id, user_id, action',
  progress_class_activity: 'course_id, user_id',
  progress_daily_activity: 'day, course_id, user_id',
  progress_course_members: 'course_id, user_id',
  progress_learners: 'user_id',
  progress_question_results: 'attempt_id, question_id',
  progress_question_stats: 'course_id, quiz_id, question_id, position',
  progress_ew_work: 'event_id',
};

const [school, course, teacher, l1, l2, admin, quiz, q1, q2, q3] = Array.from({ length: 10 }, () => randomUUID());
const at = (day: number, hour = 9) => new Date(Date.UTC(2025, 2, day, hour)).toISOString();

function event(type: string, data: Record<string, unknown>, actor: string | null, fields: Partial<EnvelopeFields> & { occurredAt: string }, realActorId: string | null = null): NewEvent {
  return { type, data, envelope: envelopeFor(actor ? { userId: actor, realActorId, request: null } : null, { action: 'viewed', crud: 'r', object: null, courseId: course, schoolId: school, ...fields }) };
}

const graded = (learnerId: string, attemptNumber: number, scores: [number, number, number], day: number): NewEvent => {
  const attemptId = randomUUID();
  const questions = [
    { questionId: q1, score: scores[0], points: 1, skills: ['fractions'], correct: scores[0] === 1 },
    { questionId: q2, score: scores[1], points: 2, skills: ['fractions', 'logic'], correct: scores[1] === 2 ? true : scores[1] === 0 ? false : 'partial' },
    { questionId: q3, score: scores[2], points: 1, skills: ['logic'], correct: scores[2] === 1 },
  ];
  const total = scores.reduce((a, b) => a + b, 0);
  return event(
    'AttemptGraded',
    { attemptId, quizId: quiz, courseId: course, learnerId, attemptNumber, questions, totalScore: total, totalPoints: 4, grade: total * 2.5, maxGrade: 10, passed: null, at: at(day) },
    learnerId,
    { action: 'graded', crud: 'u', object: { type: 'attempt', id: attemptId }, relatedUserId: learnerId, occurredAt: at(day, 10) },
  );
};

/** The story, in log order. */
const STORY: [stream: string, event: NewEvent][] = [
  [`course-${course}`, event('CourseTeacherAssigned', { courseId: course, userId: teacher, role: 'teacher', by: teacher, at: at(1) }, teacher, { action: 'assigned', crud: 'c', object: { type: 'user', id: teacher }, relatedUserId: teacher, occurredAt: at(1) })],
  ...[l1, l2].map((learnerId): [string, NewEvent] => [
    `enrolment-${randomUUID()}`,
    event('LearnerEnrolled', { courseId: course, learnerId, method: 'manual', startsAt: null, endsAt: null, by: teacher, at: at(2) }, teacher, { action: 'enrolled', crud: 'c', object: { type: 'enrolment', id: randomUUID() }, relatedUserId: learnerId, occurredAt: at(2) }),
  ]),
  [`activity-${l1}`, event('CourseViewed', { courseId: course, userId: l1 }, l1, { object: { type: 'course', id: course }, occurredAt: at(3, 8) })],
  [`activity-${l1}`, event('CourseViewed', { courseId: course, userId: l1 }, l1, { object: { type: 'course', id: course }, occurredAt: at(3, 9) })],
  [`activity-${l2}`, event('CourseViewed', { courseId: course, userId: l2 }, l2, { object: { type: 'course', id: course }, occurredAt: at(4) })],
  // Under impersonation: in L2's timeline, not their activity.
  [`activity-${l2}`, event('CourseViewed', { courseId: course, userId: l2 }, l2, { object: { type: 'course', id: course }, occurredAt: at(9) }, admin)],
  [`quiz_attempts-${randomUUID()}`, graded(l1, 1, [1, 1, 0], 5)],
  [`quiz_attempts-${randomUUID()}`, graded(l1, 2, [1, 2, 1], 6)],
  [`quiz_attempts-${randomUUID()}`, graded(l2, 1, [0, 2, 1], 5)],
  // No course: a read of L1's profile by the teacher.
  [`activity-${teacher}`, event('LearnerProfileViewed', { userId: teacher, learnerId: l1, part: 'profile', format: 'json' }, teacher, { object: { type: 'user', id: l1 }, relatedUserId: l1, courseId: null, schoolId: null, occurredAt: at(7) })],
  [`user-${l2}`, event('ProfilingObjected', { userId: l2, at: at(8) }, l2, { action: 'objected', crud: 'u', object: null, courseId: null, schoolId: null, occurredAt: at(8) })],
];

describe('progress projections (PostgreSQL)', () => {
  let f: EventLogFixture;
  let last: Position;
  const projections = [new LearnerActivityProjection(), new QuestionResultsProjection(), new EarlyWarningProjection()];
  const rows = (sql: string, params: unknown[] = []) => query<Record<string, unknown>>(f.dataSource, sql, params);
  const snapshot = async () => Object.fromEntries(await Promise.all(Object.entries(TABLES).map(async ([t, key]) => [t, await rows(`SELECT * FROM ${t} ORDER BY ${key}`)] as const)));

  beforeAll(async () => {
    f = await createEventLogFixture([...COURSE_EVENT_TYPES, ...ENROLMENT_EVENT_TYPES, ...COURSE_VIEW_EVENT_TYPES, ...ATTEMPT_EVENT_TYPES, ...PROGRESS_EVENT_TYPES, ...PROFILING_TYPES]);
    for (const [stream, e] of STORY) last = (await f.log.append(stream, [e])).position;
  });
  afterAll(() => f.close());

  async function run(batchSize: number, rebuild: boolean): Promise<Record<string, unknown[]>> {
    const runner = new ProjectionRunner(f.dataSource, f.log, projections, { batchSize, idleCheckMs: 50 });
    if (rebuild) for (const p of projections) await runner.rebuild(p.name);
    await runner.start();
    await runner.waitFor(last);
    await runner.stop();
    return snapshot();
  }

  it('builds the rows worked out by hand; one event at a time and a rebuild give the same rows', async () => {
    const live = await run(500, false);

    // Activity: own actions only (the impersonated view is not L2's), by course and action.
    const activity = (user: string) => (live.progress_course_activity as Record<string, unknown>[]).filter((r) => r.user_id === user).map((r) => [r.action, r.events]);
    expect(activity(l1)).toEqual(expect.arrayContaining([['viewed', 2], ['graded', 2]]));
    expect(activity(l1)).toHaveLength(2);
    expect(activity(l2)).toEqual(expect.arrayContaining([['viewed', 1], ['graded', 1]]));
    expect(activity(teacher)).toEqual(expect.arrayContaining([['assigned', 1], ['enrolled', 2]]));
    const l2Viewed = (live.progress_course_activity as Record<string, unknown>[]).find((r) => r.user_id === l2 && r.action === 'viewed')!;
    expect((l2Viewed.last_at as Date).toISOString()).toBe(at(4));
    // The same per course and person, in one row (what the class report reads).
    const perLearner = (user: string) => (live.progress_class_activity as Record<string, unknown>[]).filter((r) => r.user_id === user).map((r) => [r.by_action, r.events]);
    expect(perLearner(l1)).toEqual([[{ viewed: 2, graded: 2 }, 4]]);
    expect(perLearner(l2)).toEqual([[{ viewed: 1, graded: 1 }, 2]]);
    expect(perLearner(teacher)).toEqual([[{ assigned: 1, enrolled: 2 }, 3]]);
    const l2Row = (live.progress_class_activity as Record<string, unknown>[]).find((r) => r.user_id === l2)!;
    expect((l2Row.last_at as Date).toISOString()).toBe(at(5, 10));

    // Daily: L1 on day 3 (two views), 5 and 6 (graded).
    const days = (user: string) => (live.progress_daily_activity as Record<string, unknown>[]).filter((r) => r.user_id === user).map((r) => [new Date(r.day as Date).getDate(), r.events]);
    expect(days(l1)).toEqual([[3, 2], [5, 1], [6, 1]]);

    // Members: ever teacher / learner.
    expect((live.progress_course_members as Record<string, unknown>[]).map((m) => [m.user_id, m.learner, m.teacher]).sort()).toEqual([[l1, true, false], [l2, true, false], [teacher, false, true]].sort());

    // Learners: last access (own actions), the objection.
    const learner = (user: string) => (live.progress_learners as Record<string, unknown>[]).find((r) => r.user_id === user)!;
    expect((learner(l1).last_access_at as Date).toISOString()).toBe(at(6, 10));
    expect(learner(l2)).toMatchObject({ profiling_objected: true });
    expect((learner(l2).last_access_at as Date).toISOString()).toBe(at(8));
    expect(learner(teacher).profiling_objected).toBe(false);

    // Timeline: L1 acted in 4 events and was the subject of 2 more (enrolled, profile read).
    const timeline = (user: string) => (live.progress_timeline as Record<string, unknown>[]).filter((r) => r.user_id === user);
    expect(timeline(l1).map((r) => r.involvement).sort()).toEqual(['actor', 'actor', 'actor', 'actor', 'related', 'related']);
    expect(timeline(l2).find((r) => r.real_actor_id === admin)).toMatchObject({ involvement: 'actor', event_type: 'CourseViewed' });

    // Question results: one row per attempt and question, with the attempt's total.
    const questions = live.progress_question_results as Record<string, unknown>[];
    expect(questions).toHaveLength(9);
    expect(questions.filter((r) => r.learner_id === l1 && r.attempt_number === 2).map((r) => [r.position, r.score, r.skills, r.attempt_score]).sort()).toEqual([
      [0, 1, ['fractions'], 4],
      [1, 2, ['fractions', 'logic'], 4],
      [2, 1, ['logic'], 4],
    ]);

    // Their first attempts' sums per question (L1's [1, 1, 0] of 2, L2's [0, 2, 1] of 3; L1's second attempt left out).
    expect((live.progress_question_stats as Record<string, unknown>[]).map((r) => [r.question_id, r.position, r.learners, r.score, r.score_squares, r.points, r.facility, r.rest, r.rest_squares, r.score_rest]).sort()).toEqual(
      [
        [q1, 0, 2, '1', '1', '2', '1', '4', '10', '1'],
        [q2, 1, 2, '3', '5', '4', '1.5', '2', '2', '3'],
        [q3, 2, 2, '1', '1', '2', '1', '4', '8', '2'],
      ].sort(),
    );

    // Early-warning work: a row per graded attempt, each with its line of the class report's work text (the generated
    // column `line`: assessment, learner, kind, time in ms, grade, maximum, attempt number).
    expect((live.progress_ew_work as Record<string, unknown>[]).map((r) => r.line).sort()).toEqual(
      [`${quiz} ${l1} graded ${Date.parse(at(5))} 5 10 1`, `${quiz} ${l1} graded ${Date.parse(at(6))} 10 10 2`, `${quiz} ${l2} graded ${Date.parse(at(5))} 7.5 10 1`].sort(),
    );

    expect(await run(1, true)).toEqual(live);
    expect(await run(500, true)).toEqual(live);
  });

  it("a work row's line: NULL fields empty, the time in whole milliseconds (floor), float8 in its shortest exact form", async () => {
    const ids = [randomUUID(), randomUUID()];
    const written = await query<{ line: string }>(
      f.dataSource,
      `INSERT INTO progress_ew_work (event_id, course_id, assessment_id, learner_id, kind, at, grade, max_grade, attempt_number)
       VALUES ($1, $3, $4, $5, 'submitted', '2025-03-05 09:00:00.123456+00', NULL, NULL, NULL), ($2, $3, $4, $5, 'graded', '1969-12-31 23:59:59.9995+00', 0.1::float8 + 0.2::float8, 1e-5, 3)
       RETURNING line`,
      [...ids, course, quiz, l1],
    );
    await query(f.dataSource, 'DELETE FROM progress_ew_work WHERE event_id = ANY ($1)', [ids]);
    expect(written.map((r) => r.line)).toEqual([`${quiz} ${l1} submitted ${Date.parse('2025-03-05T09:00:00.123Z')}   `, `${quiz} ${l1} graded -1 0.30000000000000004 1e-05 3`]);
  });

  it('a withdrawn objection clears the flag', async () => {
    const { position } = await f.log.append(`user-${l2}`, [event('ProfilingObjectionWithdrawn', { userId: l2, at: at(10) }, l2, { action: 'withdrawn', crud: 'u', object: null, courseId: null, schoolId: null, occurredAt: at(10) })]);
    last = position;
    const rowsAfter = await run(500, false);
    expect((rowsAfter.progress_learners as Record<string, unknown>[]).find((r) => r.user_id === l2)).toMatchObject({ profiling_objected: false, profiling_objected_at: null });
  });

  it('erasure: the person\'s timeline and flags go; their counts stay under the anonymous id', async () => {
    const anonymousId = randomUUID();
    const before = await snapshot();
    await f.dataSource.transaction(async (tx) => {
      await projections[0].forgetSubject({ userId: l1, anonymousId }, tx);
      await projections[1].forgetSubject({ userId: l1, anonymousId }, tx);
      await projections[2].forgetSubject({ userId: l1, anonymousId }, tx);
    });
    const after = await snapshot();
    const mentions = (rows: unknown[]) => JSON.stringify(rows).includes(l1);
    for (const table of Object.keys(TABLES)) expect({ table, mentions: mentions(after[table]) }).toEqual({ table, mentions: false });
    const sum = (rows: unknown[]) => (rows as { events: number }[]).reduce((n, r) => n + r.events, 0);
    expect(sum(after.progress_course_activity)).toBe(sum(before.progress_course_activity));
    expect(sum(after.progress_class_activity)).toBe(sum(before.progress_class_activity));
    expect(sum(after.progress_daily_activity)).toBe(sum(before.progress_daily_activity));
    expect(after.progress_question_results).toHaveLength(before.progress_question_results.length);
    expect((after.progress_timeline as { user_id: string }[]).some((r) => r.user_id === anonymousId)).toBe(false);
  });
});
