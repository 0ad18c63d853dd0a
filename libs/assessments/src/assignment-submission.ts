/**
 * One learner's work on one assignment, pure (STYLE.md): the stream
 * `assignment_submission-<uuidV5(assignmentId:learnerId)>`.
 *
 * A learner may submit again (the new submission replaces the last) until a
 * teacher grades it; then only after the teacher reopens it. Time bounds are
 * inclusive: a submission at dueAt is in time, one at cutoffAt is accepted.
 *
 * A teacher may grade a learner who has not submitted (Moodle allows it: a
 * zero for work never handed in, or a grade for work handed in on paper);
 * the grade event says so with `hasSubmission: false`.
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { clearValueOf, isUuid, ms } from './data-checks';
import { assertGradeInRange, passedFor } from './grading';
import { MAX_FILES, type AssignmentEvent } from './assignment.events';
import type { AssignmentSnapshot } from './assignment';

export interface SubmitAssignment {
  type: 'SubmitAssignment';
  assignmentId: string;
  learnerId: string;
  /** The learner's text: personal data, clear or wrapped with personal() by the handler; passed on as given. */
  text?: unknown;
  /** Opaque ids of files already stored. */
  fileRefs?: string[];
  now: string;
  assignment: AssignmentSnapshot;
  enrolled: boolean;
}

export interface GradeSubmission {
  type: 'GradeSubmission';
  assignmentId: string;
  learnerId: string;
  courseId: string;
  grade: number;
  /** About the learner: personal data, passed on as given. */
  feedback?: unknown;
  by: string;
  now: string;
  /** From the read side: is the learner (still) enrolled in the course? */
  enrolled: boolean;
  maxGrade: number;
  passGrade: number | null;
}

export interface ReopenSubmission {
  type: 'ReopenSubmission';
  assignmentId: string;
  learnerId: string;
  by: string;
  now: string;
}

export type SubmissionCommand = SubmitAssignment | GradeSubmission | ReopenSubmission;

export interface SubmissionState {
  assignmentId: string | null;
  courseId: string | null;
  learnerId: string | null;
  submissionCount: number;
  grade: number | null;
  /** Graded since the last reopening: no new submission until reopened. */
  locked: boolean;
}

/** A submission's text is long-form, but not unbounded. */
export const MAX_TEXT_LENGTH = 100_000;

const initialState = (): SubmissionState => ({ assignmentId: null, courseId: null, learnerId: null, submissionCount: 0, grade: null, locked: false });

function evolve(state: SubmissionState, event: AssignmentEvent): SubmissionState {
  switch (event.type) {
    case 'AssignmentSubmitted': {
      const { assignmentId, courseId, learnerId, submissionNumber } = event.data;
      return { ...state, assignmentId, courseId, learnerId, submissionCount: submissionNumber };
    }
    case 'SubmissionGraded': {
      const { assignmentId, courseId, learnerId, grade } = event.data;
      return { ...state, assignmentId, courseId, learnerId, grade, locked: true };
    }
    case 'SubmissionReopened':
      return { ...state, locked: false };
    default:
      return state;
  }
}

const invalidSubmission = (problems: string[]) => new DomainError('invalid', 'SUBMISSION_INVALID', 'the submission is not valid', problems);

/** What the submission holds, checked against the assignment's submission types. */
function contentOf(c: SubmitAssignment): { text: unknown; fileRefs: string[] } {
  const { submissionTypes } = c.assignment;
  const clearText = clearValueOf(c.text);
  if (clearText !== undefined && clearText !== null && typeof clearText !== 'string') throw invalidSubmission(['text must be a string']);
  const hasText = typeof clearText === 'string' && clearText.trim() !== '';
  const fileRefs: unknown = c.fileRefs ?? [];
  if (!Array.isArray(fileRefs) || fileRefs.length > MAX_FILES || !fileRefs.every(isUuid) || new Set(fileRefs).size !== fileRefs.length) {
    throw invalidSubmission([`fileRefs must be a list of at most ${MAX_FILES} distinct file ids (UUIDs)`]);
  }
  const problems: string[] = [];
  if (hasText && (clearText as string).length > MAX_TEXT_LENGTH) problems.push(`text must be at most ${MAX_TEXT_LENGTH} characters`);
  if (hasText && !submissionTypes.includes('text')) problems.push('this assignment does not take online text');
  if (fileRefs.length > 0 && !submissionTypes.includes('file')) problems.push('this assignment does not take files');
  if (!hasText && fileRefs.length === 0) problems.push('a submission needs a text or at least one file');
  if (problems.length) throw invalidSubmission(problems);
  return { text: hasText ? c.text : null, fileRefs };
}

function submit(c: SubmitAssignment, state: SubmissionState): AssignmentEvent[] {
  const { assignment } = c;
  if (!c.enrolled) throw new DomainError('forbidden', 'NOT_ENROLLED', 'only learners enrolled in the course can submit');
  if (assignment.cutoffAt !== null && ms(c.now) > ms(assignment.cutoffAt)) {
    throw new DomainError('rule', 'SUBMISSION_CLOSED', `submissions closed at ${assignment.cutoffAt}`);
  }
  if (state.locked) throw new DomainError('rule', 'RESUBMISSION_NOT_ALLOWED', 'this submission has been graded; a teacher must reopen it first');
  const content = contentOf(c);
  const lateByMs = assignment.dueAt === null ? 0 : ms(c.now) - ms(assignment.dueAt);
  return [
    {
      type: 'AssignmentSubmitted',
      data: {
        assignmentId: c.assignmentId,
        courseId: assignment.courseId,
        learnerId: c.learnerId,
        submissionNumber: state.submissionCount + 1,
        ...content,
        late: lateByMs > 0,
        lateBySeconds: lateByMs > 0 ? Math.ceil(lateByMs / 1000) : 0,
        at: c.now,
      },
    },
  ];
}

function grade(c: GradeSubmission, state: SubmissionState): AssignmentEvent[] {
  if (!c.enrolled) throw new DomainError('rule', 'NOT_ENROLLED', 'only learners enrolled in the course can be graded');
  assertGradeInRange(c.grade, c.maxGrade);
  return [
    {
      type: 'SubmissionGraded',
      data: {
        assignmentId: c.assignmentId,
        courseId: c.courseId,
        learnerId: c.learnerId,
        grade: c.grade,
        maxGrade: c.maxGrade,
        passed: passedFor(c.grade, c.passGrade),
        feedback: c.feedback ?? null,
        previousGrade: state.grade,
        hasSubmission: state.submissionCount > 0,
        by: c.by,
        at: c.now,
      },
    },
  ];
}

function decide(command: SubmissionCommand, state: SubmissionState): AssignmentEvent[] {
  switch (command.type) {
    case 'SubmitAssignment':
      return submit(command, state);
    case 'GradeSubmission':
      return grade(command, state);
    case 'ReopenSubmission': {
      if (!state.locked) throw new DomainError('conflict', 'SUBMISSION_NOT_GRADED', 'only a graded submission can be reopened');
      const { assignmentId, courseId, learnerId } = state;
      return [{ type: 'SubmissionReopened', data: { assignmentId: assignmentId!, courseId: courseId!, learnerId: learnerId!, by: command.by, at: command.now } }];
    }
  }
}

export const submissionDecider: Decider<SubmissionCommand, AssignmentEvent, SubmissionState> = { initialState, evolve, decide };
