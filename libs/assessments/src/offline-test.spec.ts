import { spec } from '../../domain/src/testing/given-when-then';
import { offlineTestDecider, type CreateOfflineTest, type RecordOfflineResult } from './offline-test';
import type { OfflineTestCreated, OfflineTestEvent } from './offline-test.events';
import { failureOf } from './testing/errors';

const offlineTestId = '66666666-6666-4666-8666-666666666666';
const courseId = '22222222-2222-4222-8222-222222222222';
const learnerId = '44444444-4444-4444-8444-444444444444';
const otherLearner = '77777777-7777-4777-8777-777777777777';
const teacher = '33333333-3333-4333-8333-333333333333';
const now = '2025-03-01T08:00:00.000Z';

const create: CreateOfflineTest = { type: 'CreateOfflineTest', offlineTestId, courseId, title: 'Midterm (paper)', maxGrade: 50, passGrade: 25, takenOn: '2025-02-28', now, by: teacher };

const created: OfflineTestCreated = {
  type: 'OfflineTestCreated',
  data: { offlineTestId, courseId, title: 'Midterm (paper)', maxGrade: 50, passGrade: 25, takenOn: '2025-02-28', by: teacher, at: now },
};

const record = (change: Partial<RecordOfflineResult> = {}): RecordOfflineResult => ({
  type: 'RecordOfflineResult',
  offlineTestId,
  learnerId,
  grade: 30,
  feedback: 'Revise chapter 4.',
  by: teacher,
  now,
  enrolled: true,
  ...change,
});

const recorded = (learner: string, grade: number, previousGrade: number | null = null): OfflineTestEvent => ({
  type: 'OfflineResultRecorded',
  data: { offlineTestId, courseId, learnerId: learner, grade, maxGrade: 50, passed: grade >= 25, feedback: null, previousGrade, by: teacher, at: now },
});

describe('offline test decider', () => {
  describe('CreateOfflineTest', () => {
    it('creates the test', () => {
      spec(offlineTestDecider).given().when(create).then([created]);
    });

    it('has no pass grade unless given', () => {
      const { passGrade, ...rest } = create;
      spec(offlineTestDecider).given().when(rest).then([{ type: 'OfflineTestCreated', data: { ...created.data, passGrade: null } }]);
    });

    it('refuses to create it twice', () => {
      spec(offlineTestDecider).given(created).when(create).thenFails('OFFLINE_TEST_EXISTS');
    });

    it.each([
      ['a day that does not exist', { takenOn: '2025-02-29' }, 'takenOn must be a date YYYY-MM-DD'],
      ['a timestamp for a day', { takenOn: '2025-02-28T00:00:00Z' }, 'takenOn must be a date YYYY-MM-DD'],
      ['a pass grade above the max', { passGrade: 51 }, 'passGrade must not exceed maxGrade'],
      ['a zero max grade', { maxGrade: 0 }, 'maxGrade must be a number > 0'],
      ['a blank title', { title: '' }, 'title must be a non-blank text of at most 200 characters'],
      ['a course id that is not a UUID', { courseId: 'x' }, 'courseId must be a UUID'],
    ])('refuses %s with OFFLINE_TEST_INVALID', (_case, change, problem) => {
      const error = failureOf(() => spec(offlineTestDecider).given().when({ ...create, ...change }).events());
      expect([error.code, error.kind]).toEqual(['OFFLINE_TEST_INVALID', 'invalid']);
      expect(error.details).toContain(problem);
    });
  });

  describe('RecordOfflineResult', () => {
    it('records a result against the test grade scale', () => {
      spec(offlineTestDecider)
        .given(created)
        .when(record())
        .then([
          {
            type: 'OfflineResultRecorded',
            data: { offlineTestId, courseId, learnerId, grade: 30, maxGrade: 50, passed: true, feedback: 'Revise chapter 4.', previousGrade: null, by: teacher, at: now },
          },
        ]);
    });

    it('replaces a result, keeping the grade it replaces, learner by learner', () => {
      const [event] = spec(offlineTestDecider).given(created, recorded(learnerId, 30), recorded(otherLearner, 12), recorded(learnerId, 35, 30)).when(record({ grade: 20, feedback: undefined })).events();
      expect(event.data).toMatchObject({ learnerId, grade: 20, previousGrade: 35, passed: false, feedback: null });
    });

    it('says nothing of passing without a pass grade', () => {
      const noPass = { ...created, data: { ...created.data, passGrade: null } };
      const [event] = spec(offlineTestDecider).given(noPass).when(record()).events();
      expect(event.data).toMatchObject({ passed: null });
    });

    it('refuses an unknown test', () => {
      spec(offlineTestDecider).given().when(record()).thenFails('OFFLINE_TEST_NOT_FOUND');
    });

    it('refuses a learner who is not enrolled', () => {
      spec(offlineTestDecider).given(created).when(record({ enrolled: false })).thenFails('NOT_ENROLLED');
    });

    it('accepts 0 and the max grade, refuses anything outside', () => {
      expect(spec(offlineTestDecider).given(created).when(record({ grade: 0 })).events()).toHaveLength(1);
      expect(spec(offlineTestDecider).given(created).when(record({ grade: 50 })).events()).toHaveLength(1);
      spec(offlineTestDecider).given(created).when(record({ grade: 50.5 })).thenFails('GRADE_OUT_OF_RANGE');
      spec(offlineTestDecider).given(created).when(record({ grade: -1 })).thenFails('GRADE_OUT_OF_RANGE');
    });
  });
});
