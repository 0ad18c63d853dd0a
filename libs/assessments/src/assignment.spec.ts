import { spec } from '../../domain/src/testing/given-when-then';
import { assignmentDecider, assignmentSnapshotOf, type CreateAssignment } from './assignment';
import type { AssignmentCreated } from './assignment.events';
import { failureOf } from './testing/errors';

const assignmentId = '55555555-5555-4555-8555-555555555555';
const courseId = '22222222-2222-4222-8222-222222222222';
const teacher = '33333333-3333-4333-8333-333333333333';
const now = '2025-03-01T08:00:00.000Z';

const create: CreateAssignment = {
  type: 'CreateAssignment',
  assignmentId,
  courseId,
  title: 'Essay: my town',
  instructions: 'Write 300 words.',
  submissionTypes: ['text', 'file'],
  dueAt: '2025-03-20T17:00:00.000Z',
  cutoffAt: '2025-03-22T17:00:00.000Z',
  maxGrade: 20,
  passGrade: 10,
  now,
  by: teacher,
};

const created: AssignmentCreated = {
  type: 'AssignmentCreated',
  data: {
    assignmentId,
    courseId,
    title: 'Essay: my town',
    instructions: 'Write 300 words.',
    submissionTypes: ['text', 'file'],
    dueAt: '2025-03-20T17:00:00.000Z',
    cutoffAt: '2025-03-22T17:00:00.000Z',
    maxGrade: 20,
    passGrade: 10,
    by: teacher,
    at: now,
  },
};

function problemsOf(command: Parameters<typeof assignmentDecider.decide>[0], ...given: AssignmentCreated[]): unknown {
  const error = failureOf(() => spec(assignmentDecider).given(...given).when(command).events());
  expect([error.code, error.kind]).toEqual(['ASSIGNMENT_INVALID', 'invalid']);
  return error.details;
}

describe('assignment decider', () => {
  describe('CreateAssignment', () => {
    it('creates the assignment', () => {
      spec(assignmentDecider).given().when(create).then([created]);
    });

    it('leaves optional settings null', () => {
      const { instructions, dueAt, cutoffAt, passGrade, ...required } = create;
      spec(assignmentDecider)
        .given()
        .when(required)
        .then([{ type: 'AssignmentCreated', data: { ...created.data, instructions: null, dueAt: null, cutoffAt: null, passGrade: null } }]);
    });

    it('accepts a cut-off equal to the due date', () => {
      expect(spec(assignmentDecider).given().when({ ...create, cutoffAt: create.dueAt }).events()).toHaveLength(1);
    });

    it('refuses to create an assignment twice', () => {
      spec(assignmentDecider).given(created).when(create).thenFails('ASSIGNMENT_EXISTS');
    });

    it.each([
      ['a cut-off before the due date', { cutoffAt: '2025-03-19T17:00:00.000Z' }, 'cutoffAt must not be before dueAt'],
      ['no submission type', { submissionTypes: [] }, 'submissionTypes must be a list of 1 to 2 items'],
      ['an unknown submission type', { submissionTypes: ['video'] }, 'submissionTypes[0] must be one of text, file'],
      ['a repeated submission type', { submissionTypes: ['text', 'text'] }, 'submissionTypes must not repeat an item'],
      ['a pass grade above the max', { passGrade: 21 }, 'passGrade must not exceed maxGrade'],
      ['a negative max grade', { maxGrade: -1 }, 'maxGrade must be a number > 0'],
      ['a blank title', { title: '' }, 'title must be a non-blank text of at most 200 characters'],
      ['a due date that is not ISO UTC', { dueAt: 'tomorrow' }, 'dueAt must be an ISO-8601 UTC timestamp'],
    ])('refuses %s with ASSIGNMENT_INVALID', (_case, change, problem) => {
      expect(problemsOf({ ...create, ...change } as CreateAssignment)).toContain(problem);
    });
  });

  describe('UpdateAssignment', () => {
    const meta = { type: 'UpdateAssignment', assignmentId, now, by: teacher } as const;

    it('refuses an unknown assignment', () => {
      spec(assignmentDecider).given().when({ ...meta, title: 'x' }).thenFails('ASSIGNMENT_NOT_FOUND');
    });

    it('records only the settings that change', () => {
      spec(assignmentDecider)
        .given(created)
        .when({ ...meta, submissionTypes: ['text', 'file'], dueAt: '2025-03-21T17:00:00.000Z', instructions: null })
        .then([{ type: 'AssignmentUpdated', data: { assignmentId, courseId, changes: { dueAt: '2025-03-21T17:00:00.000Z', instructions: null }, by: teacher, at: now } }]);
    });

    it('decides nothing when nothing changes', () => {
      spec(assignmentDecider).given(created).when({ ...meta, submissionTypes: ['text', 'file'], maxGrade: 20 }).then([]);
    });

    it('checks the changes against the current settings', () => {
      expect(problemsOf({ ...meta, dueAt: '2025-03-23T17:00:00.000Z' }, created)).toEqual(['cutoffAt must not be before dueAt']);
    });

    it('gives submissions a snapshot of the current settings', () => {
      const { state } = spec(assignmentDecider).given(created, {
        type: 'AssignmentUpdated',
        data: { assignmentId, courseId, changes: { submissionTypes: ['file'], cutoffAt: null }, by: teacher, at: now },
      });
      expect(assignmentSnapshotOf(state)).toEqual({ courseId, submissionTypes: ['file'], dueAt: '2025-03-20T17:00:00.000Z', cutoffAt: null, maxGrade: 20, passGrade: 10 });
    });
  });
});
