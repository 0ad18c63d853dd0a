/**
 * The event type definitions against the deciders: every event a decider
 * produces, with personal fields wrapped as the handler wraps them, passes its
 * registry validator; clear personal data and stray fields do not.
 */
import type { DomainEvent } from '@learnstream/domain';
import { EventRegistry, validateEventType } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { assignmentDecider } from './assignment';
import { submissionDecider } from './assignment-submission';
import { attemptDecider } from './attempt';
import { ASSESSMENT_EVENT_TYPES, ASSIGNMENT_EVENT_TYPES, ATTEMPT_EVENT_TYPES, OFFLINE_TEST_EVENT_TYPES, QUIZ_EVENT_TYPES } from './index';
import { offlineTestDecider } from './offline-test';
import { quizDecider, quizGradingOf, quizSnapshotOf, type QuizCommand } from './quiz';
import { ALL_QUESTIONS, numeric, shortAnswer, single } from './testing/sample-questions';

const quizId = '11111111-1111-4111-8111-111111111111';
const courseId = '22222222-2222-4222-8222-222222222222';
const teacher = '33333333-3333-4333-8333-333333333333';
const learnerId = '44444444-4444-4444-8444-444444444444';
const assignmentId = '55555555-5555-4555-8555-555555555555';
const offlineTestId = '66666666-6666-4666-8666-666666666666';
const A1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const A2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const t = (minutes: number) => new Date(Date.UTC(2025, 2, 12, 9, minutes)).toISOString();

/** Runs commands one after another on a decider, as the handler would, collecting the events. */
function run<C, E, S>(decider: { initialState: () => S; evolve: (s: S, e: E) => S; decide: (c: C, s: S) => E[] }, commands: C[]) {
  let state = decider.initialState();
  const events: E[] = [];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    events.push(...decided);
    state = decided.reduce(decider.evolve, state);
  }
  return { events, state };
}

const quiz = run(quizDecider, [
  { type: 'CreateQuiz', quizId, courseId, title: 'Quiz', closesAt: t(50), timeLimitSeconds: 600, attemptsAllowed: 0, gradingMethod: 'average', maxGrade: 10, passGrade: 5, now: t(0), by: teacher },
  { type: 'UpdateQuizSettings', quizId, opensAt: t(1), now: t(0), by: teacher },
  ...ALL_QUESTIONS.map((question): QuizCommand => ({ type: 'AddQuestion', quizId, question, hasAttempts: false, now: t(0), by: teacher })),
  { type: 'UpdateQuestion', quizId, question: { ...single, points: 2 }, hasAttempts: false, now: t(0), by: teacher },
  { type: 'RemoveQuestion', quizId, questionId: shortAnswer.questionId, hasAttempts: false, now: t(0), by: teacher },
]);

const start = (attemptId: string, now: string) => ({ type: 'StartAttempt', attemptId, quizId, courseId, learnerId, now, quiz: quizSnapshotOf(quiz.state), enrolled: true }) as const;
const attempts = run(attemptDecider, [
  start(A1, t(1)),
  { type: 'SaveAnswers', attemptId: A1, answers: [{ questionId: numeric.questionId, answer: personal(learnerId, 3.14) }], now: t(2) },
  { type: 'SubmitAttempt', attemptId: A1, now: t(3), ...quizGradingOf(quiz.state) },
  { type: 'ReviewAttempt', attemptId: A1, by: learnerId, now: t(4) },
  start(A2, t(5)),
  { type: 'CloseOverdueAttempt', attemptId: A2, now: t(30), ...quizGradingOf(quiz.state) },
]);

const assignment = run(assignmentDecider, [
  { type: 'CreateAssignment', assignmentId, courseId, title: 'Essay', submissionTypes: ['text', 'file'], dueAt: t(10), maxGrade: 20, now: t(0), by: teacher },
  { type: 'UpdateAssignment', assignmentId, cutoffAt: t(20), now: t(0), by: teacher },
]);

const snapshot = { courseId, submissionTypes: ['text', 'file'] as ('text' | 'file')[], dueAt: t(10), cutoffAt: t(20), maxGrade: 20, passGrade: null };
const submissions = run(submissionDecider, [
  { type: 'SubmitAssignment', assignmentId, learnerId, text: personal(learnerId, 'My essay'), fileRefs: ['f0000000-0000-4000-8000-000000000001'], now: t(15), assignment: snapshot, enrolled: true },
  { type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: 12, feedback: personal(learnerId, 'Well argued'), by: teacher, now: t(25), enrolled: true, maxGrade: 20, passGrade: null },
  { type: 'ReopenSubmission', assignmentId, learnerId, by: teacher, now: t(26) },
  { type: 'GradeSubmission', assignmentId, learnerId, courseId, grade: 14, by: teacher, now: t(27), enrolled: true, maxGrade: 20, passGrade: null },
]);

const offline = run(offlineTestDecider, [
  { type: 'CreateOfflineTest', offlineTestId, courseId, title: 'Paper test', maxGrade: 50, takenOn: '2025-03-11', now: t(0), by: teacher },
  { type: 'RecordOfflineResult', offlineTestId, learnerId, grade: 40, feedback: personal(learnerId, 'Neat work'), by: teacher, now: t(1), enrolled: true },
]);

const registry = new EventRegistry().register(...ASSESSMENT_EVENT_TYPES);
const problemsOf = (event: DomainEvent) => registry.get(event.type)!.validate!(event.data as Record<string, unknown>);
const withData = <E extends DomainEvent>(event: E, change: Record<string, unknown>): DomainEvent => ({ type: event.type, data: { ...event.data, ...change } });

const decided: [string, DomainEvent[]][] = [
  ['quiz', quiz.events],
  ['attempt', attempts.events],
  ['assignment', [...assignment.events, ...submissions.events]],
  ['offline test', offline.events],
];

describe('event type definitions', () => {
  it('register together: no type twice, names fit the log, version 1 with a validator', () => {
    expect(ASSESSMENT_EVENT_TYPES).toHaveLength(QUIZ_EVENT_TYPES.length + ATTEMPT_EVENT_TYPES.length + ASSIGNMENT_EVENT_TYPES.length + OFFLINE_TEST_EVENT_TYPES.length);
    for (const definition of ASSESSMENT_EVENT_TYPES) {
      expect(validateEventType(definition.type)).toEqual([]);
      expect(definition).toMatchObject({ version: 1, validate: expect.any(Function) });
    }
  });

  it('cover every event the scenarios produce, and the scenarios produce every type', () => {
    const produced = new Set(decided.flatMap(([, events]) => events.map((e) => e.type)));
    expect([...produced].sort()).toEqual(ASSESSMENT_EVENT_TYPES.map((d) => d.type).sort());
  });

  it.each(decided)('accept every %s event the deciders produce', (_feature, events) => {
    for (const event of events) expect({ type: event.type, problems: problemsOf(event) }).toEqual({ type: event.type, problems: [] });
  });

  const byType = (type: string) => decided.flatMap(([, events]) => events).find((e) => e.type === type)!;

  it('refuse personal data in clear', () => {
    expect(problemsOf(withData(byType('AssignmentSubmitted'), { text: 'My essay' }))).toEqual(['text must be personal data wrapped with personal(subjectId, value), never clear']);
    expect(problemsOf(withData(byType('SubmissionGraded'), { feedback: 'Well argued' }))).toEqual(['feedback must be personal data wrapped with personal(subjectId, value), never clear']);
    expect(problemsOf(withData(byType('OfflineResultRecorded'), { feedback: 'Neat work' }))).toEqual(['feedback must be personal data wrapped with personal(subjectId, value), never clear']);
    expect(problemsOf(withData(byType('AnswersSaved'), { answers: [{ questionId: numeric.questionId, answer: 3.14 }] }))).toEqual([
      'answers[0].answer must be personal data wrapped with personal(subjectId, value), never clear',
    ]);
  });

  it('refuse fields the contract does not have', () => {
    expect(problemsOf(withData(byType('AttemptStarted'), { learnerName: 'Ann' }))).toEqual(['data has unexpected fields: learnerName']);
    expect(problemsOf(withData(byType('QuizSettingsUpdated'), { changes: { colour: 'red' } }))).toEqual(['changes has unexpected fields: colour']);
  });

  it('refuse wrong values', () => {
    expect(problemsOf(withData(byType('QuizCreated'), { closesAt: t(0), opensAt: t(1) }))).toEqual(['closesAt must be after opensAt']);
    expect(problemsOf(withData(byType('QuizSettingsUpdated'), { changes: {} }))).toEqual(['changes must be an object with at least one field']);
    expect(problemsOf(withData(byType('AttemptGraded'), { learnerId: 'ann' }))).toEqual(['learnerId must be a UUID']);
    expect(problemsOf(withData(byType('AttemptSubmitted'), { at: '2025-03-12 09:03' }))).toEqual(['at must be an ISO-8601 UTC timestamp']);
    expect(problemsOf(withData(byType('QuestionAdded'), { question: { ...single, correct: 'z' } }))).toEqual(['question.correct names choices that do not exist: z']);
    expect(problemsOf(withData(byType('AssignmentCreated'), { cutoffAt: t(5) }))).toEqual(['cutoffAt must not be before dueAt']);
    expect(problemsOf(withData(byType('OfflineTestCreated'), { passGrade: 60 }))).toEqual(['passGrade must not exceed maxGrade']);
  });
});
