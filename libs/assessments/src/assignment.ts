/**
 * Assignment settings, pure (STYLE.md): the stream `assignment-<assignmentId>`.
 * Submissions live in one stream per learner (assignment-submission.ts) and
 * read these settings as a snapshot (assignmentSnapshotOf).
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { changesBetween } from './changes';
import { isUuid } from './data-checks';
import { assignmentSettingsProblems, type AssignmentEvent, type AssignmentSettings, type SubmissionType } from './assignment.events';

export interface CreateAssignment {
  type: 'CreateAssignment';
  assignmentId: string;
  courseId: string;
  title: string;
  instructions?: string;
  submissionTypes: SubmissionType[];
  dueAt?: string;
  /** No submissions after it. */
  cutoffAt?: string;
  maxGrade: number;
  passGrade?: number;
  now: string;
  by: string;
}

/** Only the settings given change; null clears an optional one (instructions, dueAt, cutoffAt, passGrade). */
export type UpdateAssignment = { type: 'UpdateAssignment'; assignmentId: string; now: string; by: string } & Partial<AssignmentSettings>;

export type AssignmentCommand = CreateAssignment | UpdateAssignment;

export type AssignmentState =
  | { status: 'none' }
  | { status: 'created'; assignmentId: string; courseId: string; settings: AssignmentSettings };

/** What a submission and its grading need to know of the assignment. */
export interface AssignmentSnapshot {
  courseId: string;
  submissionTypes: SubmissionType[];
  dueAt: string | null;
  cutoffAt: string | null;
  maxGrade: number;
  passGrade: number | null;
}

const SETTING_KEYS = ['title', 'instructions', 'submissionTypes', 'dueAt', 'cutoffAt', 'maxGrade', 'passGrade'] as const satisfies readonly (keyof AssignmentSettings)[];

const initialState = (): AssignmentState => ({ status: 'none' });

/** Settings and submission events share the union; this stream only sees the first two. */
function evolve(state: AssignmentState, event: AssignmentEvent): AssignmentState {
  switch (event.type) {
    case 'AssignmentCreated': {
      const { assignmentId, courseId, by, at, ...settings } = event.data;
      return { status: 'created', assignmentId, courseId, settings };
    }
    case 'AssignmentUpdated':
      return state.status === 'created' ? { ...state, settings: { ...state.settings, ...event.data.changes } } : state;
    default:
      return state;
  }
}

const invalid = (problems: string[]) => new DomainError('invalid', 'ASSIGNMENT_INVALID', 'the assignment settings are not valid', problems);

function existing(state: AssignmentState): Extract<AssignmentState, { status: 'created' }> {
  if (state.status === 'none') throw new DomainError('not_found', 'ASSIGNMENT_NOT_FOUND', 'no such assignment');
  return state;
}

function decide(command: AssignmentCommand, state: AssignmentState): AssignmentEvent[] {
  switch (command.type) {
    case 'CreateAssignment': {
      if (state.status !== 'none') throw new DomainError('conflict', 'ASSIGNMENT_EXISTS', 'this assignment already exists');
      const c = command;
      const settings: AssignmentSettings = {
        title: c.title,
        instructions: c.instructions ?? null,
        submissionTypes: c.submissionTypes,
        dueAt: c.dueAt ?? null,
        cutoffAt: c.cutoffAt ?? null,
        maxGrade: c.maxGrade,
        passGrade: c.passGrade ?? null,
      };
      const problems = [
        ...(isUuid(c.assignmentId) ? [] : ['assignmentId must be a UUID']),
        ...(isUuid(c.courseId) ? [] : ['courseId must be a UUID']),
        ...assignmentSettingsProblems(settings),
      ];
      if (problems.length) throw invalid(problems);
      return [{ type: 'AssignmentCreated', data: { assignmentId: c.assignmentId, courseId: c.courseId, ...settings, by: c.by, at: c.now } }];
    }
    case 'UpdateAssignment': {
      const assignment = existing(state);
      const changes = changesBetween<AssignmentSettings>(assignment.settings, command, SETTING_KEYS);
      const problems = assignmentSettingsProblems({ ...assignment.settings, ...changes });
      if (problems.length) throw invalid(problems);
      if (Object.keys(changes).length === 0) return [];
      const { assignmentId, courseId } = assignment;
      return [{ type: 'AssignmentUpdated', data: { assignmentId, courseId, changes, by: command.by, at: command.now } }];
    }
  }
}

export const assignmentDecider: Decider<AssignmentCommand, AssignmentEvent, AssignmentState> = { initialState, evolve, decide };

export function assignmentSnapshotOf(state: AssignmentState): AssignmentSnapshot {
  const { courseId, settings } = existing(state);
  const { submissionTypes, dueAt, cutoffAt, maxGrade, passGrade } = settings;
  return { courseId, submissionTypes, dueAt, cutoffAt, maxGrade, passGrade };
}
