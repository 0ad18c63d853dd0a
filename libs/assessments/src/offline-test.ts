/**
 * Offline tests, pure (STYLE.md): a test sat outside the platform and the
 * results a teacher records for it, in the stream `offline_test-<offlineTestId>`.
 * Recording a learner's result again replaces it (a correction or a re-mark);
 * the event keeps the grade it replaced.
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { calendarDate, isUuid, object, positiveNumber, text } from './data-checks';
import { assertGradeInRange, gradeLimitsProblems, passedFor } from './grading';
import type { OfflineTestEvent } from './offline-test.events';

export interface CreateOfflineTest {
  type: 'CreateOfflineTest';
  offlineTestId: string;
  courseId: string;
  title: string;
  maxGrade: number;
  passGrade?: number;
  /** YYYY-MM-DD. */
  takenOn: string;
  now: string;
  by: string;
}

export interface RecordOfflineResult {
  type: 'RecordOfflineResult';
  offlineTestId: string;
  learnerId: string;
  grade: number;
  /** About the learner: personal data, passed on as given. */
  feedback?: unknown;
  by: string;
  now: string;
  /** From the read side: is the learner enrolled in the course? */
  enrolled: boolean;
}

export type OfflineTestCommand = CreateOfflineTest | RecordOfflineResult;

export type OfflineTestState =
  | { status: 'none' }
  | {
      status: 'created';
      offlineTestId: string;
      courseId: string;
      maxGrade: number;
      passGrade: number | null;
      /** Current grade by learnerId. */
      grades: Record<string, number>;
    };

const initialState = (): OfflineTestState => ({ status: 'none' });

function evolve(state: OfflineTestState, event: OfflineTestEvent): OfflineTestState {
  switch (event.type) {
    case 'OfflineTestCreated': {
      const { offlineTestId, courseId, maxGrade, passGrade } = event.data;
      return { status: 'created', offlineTestId, courseId, maxGrade, passGrade, grades: {} };
    }
    case 'OfflineResultRecorded':
      return state.status === 'created' ? { ...state, grades: { ...state.grades, [event.data.learnerId]: event.data.grade } } : state;
  }
}

const createdShape = object({ title: text(200), maxGrade: positiveNumber, takenOn: calendarDate });

function create(c: CreateOfflineTest, state: OfflineTestState): OfflineTestEvent[] {
  if (state.status !== 'none') throw new DomainError('conflict', 'OFFLINE_TEST_EXISTS', 'this offline test already exists');
  const passGrade = c.passGrade ?? null;
  const problems = [
    ...(isUuid(c.offlineTestId) ? [] : ['offlineTestId must be a UUID']),
    ...(isUuid(c.courseId) ? [] : ['courseId must be a UUID']),
    ...createdShape({ title: c.title, maxGrade: c.maxGrade, takenOn: c.takenOn }, ''),
  ];
  if (!problems.length) problems.push(...gradeLimitsProblems(c.maxGrade, passGrade));
  if (problems.length) throw new DomainError('invalid', 'OFFLINE_TEST_INVALID', 'the offline test is not valid', problems);
  const { offlineTestId, courseId, title, maxGrade, takenOn, by, now } = c;
  return [{ type: 'OfflineTestCreated', data: { offlineTestId, courseId, title, maxGrade, passGrade, takenOn, by, at: now } }];
}

function record(c: RecordOfflineResult, state: OfflineTestState): OfflineTestEvent[] {
  if (state.status === 'none') throw new DomainError('not_found', 'OFFLINE_TEST_NOT_FOUND', 'no such offline test');
  if (!c.enrolled) throw new DomainError('rule', 'NOT_ENROLLED', 'only learners enrolled in the course can have a result');
  assertGradeInRange(c.grade, state.maxGrade);
  const { offlineTestId, courseId, maxGrade, passGrade, grades } = state;
  return [
    {
      type: 'OfflineResultRecorded',
      data: {
        offlineTestId,
        courseId,
        learnerId: c.learnerId,
        grade: c.grade,
        maxGrade,
        passed: passedFor(c.grade, passGrade),
        feedback: c.feedback ?? null,
        previousGrade: Object.hasOwn(grades, c.learnerId) ? grades[c.learnerId] : null,
        by: c.by,
        at: c.now,
      },
    },
  ];
}

function decide(command: OfflineTestCommand, state: OfflineTestState): OfflineTestEvent[] {
  switch (command.type) {
    case 'CreateOfflineTest':
      return create(command, state);
    case 'RecordOfflineResult':
      return record(command, state);
  }
}

export const offlineTestDecider: Decider<OfflineTestCommand, OfflineTestEvent, OfflineTestState> = { initialState, evolve, decide };
