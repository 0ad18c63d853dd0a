import { personal } from '@learnstream/personal-data';
import { spec } from '../../domain/src/testing/given-when-then';
import type { AssignmentSnapshot } from './assignment';
import type { AssignmentEvent } from './assignment.events';
import { submissionDecider, type GradeSubmission, type SubmitAssignment } from './assignment-submission';
import { failureOf } from './testing/errors';

const assignmentId = '55555555-5555-4555-8555-555555555555';
const courseId = '22222222-2222-4222-8222-222222222222';
const learnerId = '44444444-4444-4444-8444-444444444444';
const teacher = '33333333-3333-4333-8333-333333333333';
const file1 = 'f0000000-0000-4000-8000-000000000001';
const file2 = 'f0000000-0000-4000-8000-000000000002';
const ids = { assignmentId, courseId, learnerId };

const DUE = '2025-03-20T17:00:00.000Z';
const CUTOFF = '2025-03-22T17:00:00.000Z';
const IN_TIME = '2025-03-19T10:00:00.000Z';

const assignment: AssignmentSnapshot = { courseId, submissionTypes: ['text', 'file'], dueAt: DUE, cutoffAt: CUTOFF, maxGrade: 20, passGrade: 10 };

const submit = (change: Partial<SubmitAssignment> = {}): SubmitAssignment => ({
  type: 'SubmitAssignment',
  assignmentId,
  learnerId,
  text: 'My town has a river.',
  now: IN_TIME,
  assignment,
  enrolled: true,
  ...change,
});

const submitted = (submissionNumber = 1, change: Partial<Extract<AssignmentEvent, { type: 'AssignmentSubmitted' }>['data']> = {}): AssignmentEvent => ({
  type: 'AssignmentSubmitted',
  data: { ...ids, submissionNumber, text: 'My town has a river.', fileRefs: [], late: false, lateBySeconds: 0, at: IN_TIME, ...change },
});

const gradeCommand = (change: Partial<GradeSubmission> = {}): GradeSubmission => ({
  type: 'GradeSubmission',
  assignmentId,
  learnerId,
  courseId,
  grade: 15,
  feedback: 'Good structure.',
  by: teacher,
  now: '2025-03-25T09:00:00.000Z',
  enrolled: true,
  maxGrade: 20,
  passGrade: 10,
  ...change,
});

const graded = (grade = 15, previousGrade: number | null = null): AssignmentEvent => ({
  type: 'SubmissionGraded',
  data: { ...ids, grade, maxGrade: 20, passed: grade >= 10, feedback: null, previousGrade, hasSubmission: true, by: teacher, at: '2025-03-25T09:00:00.000Z' },
});

const reopened: AssignmentEvent = { type: 'SubmissionReopened', data: { ...ids, by: teacher, at: '2025-03-26T09:00:00.000Z' } };

function invalidBecause(command: SubmitAssignment): unknown {
  const error = failureOf(() => spec(submissionDecider).given().when(command).events());
  expect([error.code, error.kind]).toEqual(['SUBMISSION_INVALID', 'invalid']);
  return error.details;
}

describe('assignment submission decider', () => {
  describe('SubmitAssignment', () => {
    it('records a submission in time', () => {
      spec(submissionDecider).given().when(submit({ fileRefs: [file1] })).then([submitted(1, { fileRefs: [file1] })]);
    });

    it('is in time at the due date', () => {
      spec(submissionDecider).given().when(submit({ now: DUE })).then([submitted(1, { at: DUE })]);
    });

    it('marks a submission after the due date late, by whole seconds rounded up', () => {
      const now = '2025-03-20T17:00:01.500Z';
      spec(submissionDecider).given().when(submit({ now })).then([submitted(1, { late: true, lateBySeconds: 2, at: now })]);
    });

    it('accepts a late submission at the cut-off and refuses one after it', () => {
      spec(submissionDecider).given().when(submit({ now: CUTOFF })).then([submitted(1, { late: true, lateBySeconds: 172800, at: CUTOFF })]);
      spec(submissionDecider).given().when(submit({ now: '2025-03-22T17:00:00.001Z' })).thenFails('SUBMISSION_CLOSED');
    });

    it('is never late without a due date', () => {
      const [event] = spec(submissionDecider).given().when(submit({ now: '2030-01-01T00:00:00.000Z', assignment: { ...assignment, dueAt: null, cutoffAt: null } })).events();
      expect(event.data).toMatchObject({ late: false, lateBySeconds: 0 });
    });

    it('refuses a learner who is not enrolled', () => {
      const error = failureOf(() => spec(submissionDecider).given().when(submit({ enrolled: false })).events());
      expect([error.code, error.kind]).toEqual(['NOT_ENROLLED', 'forbidden']);
    });

    it('refuses content of a type the assignment does not take', () => {
      expect(invalidBecause(submit({ assignment: { ...assignment, submissionTypes: ['file'] } }))).toEqual(['this assignment does not take online text']);
      expect(invalidBecause(submit({ text: undefined, fileRefs: [file1], assignment: { ...assignment, submissionTypes: ['text'] } }))).toEqual(['this assignment does not take files']);
    });

    it('refuses an empty submission, a blank text counting as none', () => {
      expect(invalidBecause(submit({ text: undefined }))).toEqual(['a submission needs a text or at least one file']);
      expect(invalidBecause(submit({ text: ' \n ', fileRefs: [] }))).toEqual(['a submission needs a text or at least one file']);
    });

    it('takes files with a blank text as files only', () => {
      const [event] = spec(submissionDecider).given().when(submit({ text: '  ', fileRefs: [file1, file2], assignment: { ...assignment, submissionTypes: ['file'] } })).events();
      expect(event.data).toMatchObject({ text: null, fileRefs: [file1, file2] });
    });

    it('refuses file references that are not distinct UUIDs', () => {
      const problem = ['fileRefs must be a list of at most 20 distinct file ids (UUIDs)'];
      expect(invalidBecause(submit({ fileRefs: ['essay.pdf'] }))).toEqual(problem);
      expect(invalidBecause(submit({ fileRefs: [file1, file1] }))).toEqual(problem);
      expect(invalidBecause(submit({ fileRefs: Array.from({ length: 21 }, (_, i) => `f0000000-0000-4000-8000-${String(i).padStart(12, '0')}`) }))).toEqual(problem);
    });

    it('refuses a text that is not a string or is too long', () => {
      expect(invalidBecause(submit({ text: 42 }))).toEqual(['text must be a string']);
      expect(invalidBecause(submit({ text: 'x'.repeat(100_001) }))).toEqual(['text must be at most 100000 characters']);
    });

    it('checks a text wrapped as personal data, and passes the wrapper on', () => {
      const wrapped = personal(learnerId, 'My town has a river.');
      const [event] = spec(submissionDecider).given().when(submit({ text: wrapped })).events();
      expect(event.type === 'AssignmentSubmitted' && event.data.text).toBe(wrapped);
      expect(invalidBecause(submit({ text: personal(learnerId, '   ') }))).toEqual(['a submission needs a text or at least one file']);
    });

    it('lets the learner submit again before grading', () => {
      spec(submissionDecider).given(submitted(1)).when(submit()).then([submitted(2)]);
    });

    it('refuses a new submission once graded', () => {
      const error = failureOf(() => spec(submissionDecider).given(submitted(1), graded()).when(submit()).events());
      expect([error.code, error.kind]).toEqual(['RESUBMISSION_NOT_ALLOWED', 'rule']);
    });

    it('accepts a new submission once reopened, and refuses again after the next grade', () => {
      spec(submissionDecider).given(submitted(1), graded(), reopened).when(submit()).then([submitted(2)]);
      spec(submissionDecider).given(submitted(1), graded(), reopened, submitted(2), graded(17, 15)).when(submit()).thenFails('RESUBMISSION_NOT_ALLOWED');
    });
  });

  describe('GradeSubmission', () => {
    it('grades a submission', () => {
      spec(submissionDecider)
        .given(submitted(1))
        .when(gradeCommand())
        .then([
          {
            type: 'SubmissionGraded',
            data: { ...ids, grade: 15, maxGrade: 20, passed: true, feedback: 'Good structure.', previousGrade: null, hasSubmission: true, by: teacher, at: '2025-03-25T09:00:00.000Z' },
          },
        ]);
    });

    it('grades a learner who has not submitted, and says so', () => {
      const [event] = spec(submissionDecider).given().when(gradeCommand({ grade: 0, feedback: undefined })).events();
      expect(event.data).toMatchObject({ grade: 0, passed: false, feedback: null, previousGrade: null, hasSubmission: false });
    });

    it('keeps the grade it replaces', () => {
      const [event] = spec(submissionDecider).given(submitted(1), graded(15)).when(gradeCommand({ grade: 9 })).events();
      expect(event.data).toMatchObject({ grade: 9, previousGrade: 15, passed: false });
    });

    it('says nothing of passing without a pass grade', () => {
      const [event] = spec(submissionDecider).given(submitted(1)).when(gradeCommand({ passGrade: null })).events();
      expect(event.data).toMatchObject({ passed: null });
    });

    it('accepts 0 and the max grade, refuses anything outside', () => {
      expect(spec(submissionDecider).given().when(gradeCommand({ grade: 20 })).events()).toHaveLength(1);
      for (const grade of [-0.5, 20.01, Number.NaN]) {
        const error = failureOf(() => spec(submissionDecider).given().when(gradeCommand({ grade })).events());
        expect([error.code, error.kind]).toEqual(['GRADE_OUT_OF_RANGE', 'invalid']);
      }
    });

    it('refuses a learner who is not enrolled', () => {
      spec(submissionDecider).given(submitted(1)).when(gradeCommand({ enrolled: false })).thenFails('NOT_ENROLLED');
    });
  });

  describe('ReopenSubmission', () => {
    const reopen = { type: 'ReopenSubmission', assignmentId, learnerId, by: teacher, now: '2025-03-26T09:00:00.000Z' } as const;

    it('reopens a graded submission', () => {
      spec(submissionDecider).given(submitted(1), graded()).when(reopen).then([reopened]);
    });

    it('refuses a submission not graded since it was last reopened', () => {
      spec(submissionDecider).given().when(reopen).thenFails('SUBMISSION_NOT_GRADED');
      spec(submissionDecider).given(submitted(1)).when(reopen).thenFails('SUBMISSION_NOT_GRADED');
      spec(submissionDecider).given(submitted(1), graded(), reopened).when(reopen).thenFails('SUBMISSION_NOT_GRADED');
    });
  });
});
