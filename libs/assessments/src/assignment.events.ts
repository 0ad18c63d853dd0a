/**
 * Assignment events: the public contract of assignments.
 *
 * Streams:
 * - `assignment-<assignmentId>` (assignmentStreamId): AssignmentCreated, AssignmentUpdated.
 * - `assignment_submission-<uuidV5(assignmentId:learnerId)>` (assignmentSubmissionStreamId):
 *   AssignmentSubmitted, SubmissionGraded, SubmissionReopened, for one learner.
 *
 * A submission's text is written by the learner and feedback is about the
 * learner: both are personal data, wrapped with `personal(learnerId, value)`
 * by the handler. Files are referenced by opaque UUIDs; their names and
 * contents live with the files, not in the log.
 *
 * Data shapes are type aliases, not interfaces, so that they fit the event
 * log's `Record<string, unknown>` data as they are.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import {
  arrayOf,
  bool,
  instant,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  personalValue,
  positiveInteger,
  positiveNumber,
  someOf,
  text,
  uuid,
  validator,
  wholeNumber,
  type Check,
} from './data-checks';
import { gradeLimitsProblems } from './grading';

export const SUBMISSION_TYPES = ['text', 'file'] as const;
export type SubmissionType = (typeof SUBMISSION_TYPES)[number];

export type AssignmentSettings = {
  title: string;
  instructions: string | null;
  /** What a submission may hold: online text, files, or both. */
  submissionTypes: SubmissionType[];
  /** Submissions after it are late (still accepted). */
  dueAt: string | null;
  /** No submissions after it. */
  cutoffAt: string | null;
  maxGrade: number;
  passGrade: number | null;
};

export type AssignmentCreated = DomainEvent<'AssignmentCreated', { assignmentId: string; courseId: string; by: string; at: string } & AssignmentSettings>;
/** `changes` holds only the settings that changed. */
export type AssignmentUpdated = DomainEvent<
  'AssignmentUpdated',
  { assignmentId: string; courseId: string; changes: Partial<AssignmentSettings>; by: string; at: string }
>;

type SubmissionIds = {
  assignmentId: string;
  courseId: string;
  learnerId: string;
};

/** A submission replaces the learner's previous one. */
export type AssignmentSubmitted = DomainEvent<
  'AssignmentSubmitted',
  SubmissionIds & {
    /** 1 for the learner's first submission to this assignment. */
    submissionNumber: number;
    /** The learner's text: personal data, `personal(learnerId, text)` when written; null without text or once erased. */
    text: unknown;
    /** Opaque ids of stored files. */
    fileRefs: string[];
    late: boolean;
    /** 0 when in time; whole seconds, rounded up. */
    lateBySeconds: number;
    at: string;
  }
>;

export type SubmissionGraded = DomainEvent<
  'SubmissionGraded',
  SubmissionIds & {
    grade: number;
    maxGrade: number;
    /** null when the assignment has no pass grade. */
    passed: boolean | null;
    /** About the learner: personal data, `personal(learnerId, feedback)` when written; null when none or erased. */
    feedback: unknown;
    /** The grade this one replaces; null for a first grade. */
    previousGrade: number | null;
    /** false when graded without a submission (allowed, as in Moodle). */
    hasSubmission: boolean;
    by: string;
    at: string;
  }
>;

/** The learner may submit again after a grade. */
export type SubmissionReopened = DomainEvent<'SubmissionReopened', SubmissionIds & { by: string; at: string }>;

export type AssignmentEvent = AssignmentCreated | AssignmentUpdated | AssignmentSubmitted | SubmissionGraded | SubmissionReopened;

const SETTING_CHECKS: Record<keyof AssignmentSettings, Check> = {
  title: text(200),
  instructions: nullable(text(20_000)),
  submissionTypes: arrayOf(oneOf(...SUBMISSION_TYPES), 1, SUBMISSION_TYPES.length, { unique: true }),
  dueAt: nullable(instant),
  cutoffAt: nullable(instant),
  maxGrade: positiveNumber,
  passGrade: nullable(nonNegativeNumber),
};

/** A cut-off before the due date would make the due date unreachable. */
function settingsRuleProblems(s: AssignmentSettings): string[] {
  const problems: string[] = [];
  if (s.dueAt !== null && s.cutoffAt !== null && Date.parse(s.cutoffAt) < Date.parse(s.dueAt)) problems.push('cutoffAt must not be before dueAt');
  return [...problems, ...gradeLimitsProblems(s.maxGrade, s.passGrade)];
}

/** Problems with a complete set of assignment settings, field by field, then between fields. */
export function assignmentSettingsProblems(settings: AssignmentSettings): string[] {
  const problems = object(SETTING_CHECKS)(settings, '');
  return problems.length ? problems : settingsRuleProblems(settings);
}


const assignmentFields = { assignmentId: uuid, courseId: uuid, by: uuid, at: instant };
const submissionIds = { assignmentId: uuid, courseId: uuid, learnerId: uuid };
export const MAX_FILES = 20;

export const ASSIGNMENT_EVENT_TYPES: EventTypeDefinition[] = [
  {
    type: 'AssignmentCreated',
    version: 1,
    validate: (d) => {
      const problems = validator(object({ ...assignmentFields, ...SETTING_CHECKS }))(d);
      return problems.length ? problems : settingsRuleProblems(d as unknown as AssignmentSettings);
    },
  },
  { type: 'AssignmentUpdated', version: 1, validate: validator(object({ ...assignmentFields, changes: someOf(SETTING_CHECKS) })) },
  {
    type: 'AssignmentSubmitted',
    version: 1,
    validate: validator(
      object({
        ...submissionIds,
        submissionNumber: positiveInteger,
        text: nullable(personalValue),
        fileRefs: arrayOf(uuid, 0, MAX_FILES, { unique: true }),
        late: bool,
        lateBySeconds: wholeNumber,
        at: instant,
      }),
    ),
  },
  {
    type: 'SubmissionGraded',
    version: 1,
    validate: validator(
      object({
        ...submissionIds,
        grade: nonNegativeNumber,
        maxGrade: positiveNumber,
        passed: nullable(bool),
        feedback: nullable(personalValue),
        previousGrade: nullable(nonNegativeNumber),
        hasSubmission: bool,
        by: uuid,
        at: instant,
      }),
    ),
  },
  { type: 'SubmissionReopened', version: 1, validate: validator(object({ ...submissionIds, by: uuid, at: instant })) },
];
