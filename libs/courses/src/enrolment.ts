/**
 * The enrolment decider: one learner in one course, on its own stream
 * (enrolmentStreamId). It sees the course only as a snapshot the handler reads
 * from the course's state, so enrolments in a course never contend with each
 * other or with edits of the course.
 *
 * Rules, in the order they are checked:
 *   input (ids, now, method, individual period)          ENROLMENT_INVALID        invalid
 *   the course is archived                               COURSE_ARCHIVED          rule
 *   self-enrolment is off                                SELF_ENROLMENT_DISABLED  forbidden
 *   self-enrolment without the right key                 ENROLMENT_KEY_INVALID    forbidden
 *   already enrolled (and the individual period not over) ENROLMENT_EXISTS        conflict; bulk: nothing recorded
 *   now is outside the course's enrolment period         ENROLMENT_CLOSED         rule (every method)
 * A learner may enrol again after being unenrolled, or once their individual
 * period has ended (a renewal: the new LearnerEnrolled carries the new period).
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { courseArchived } from './course.errors';
import { ENROLMENT_METHODS, type EnrolmentEvent, type EnrolmentMethod } from './enrolment.events';
import { isWithinPeriod, periodProblems, type PeriodInput } from './period';
import { uuidV5 } from '@learnstream/domain';

/** Namespace of enrolment stream ids (uuid v5 of `courseId:learnerId`). */
export const ENROLMENT_NAMESPACE = 'a9ea85ae-1339-4ef7-bf68-818a5dabb0bc';
import { isInstant, isUuid, millis } from './value-checks';

/** The course as the handler reads it when a learner enrols: a course's state (Course) fits as it is. */
export interface EnrolmentCourseSnapshot {
  archived: boolean;
  selfEnrolment: { enabled: boolean };
  enrolmentPeriod: PeriodInput;
}

export interface EnrolLearner {
  type: 'EnrolLearner';
  courseId: string;
  learnerId: string;
  by: string;
  method: EnrolmentMethod;
  now: string;
  course: EnrolmentCourseSnapshot;
  /**
   * Self-enrolment only: whether the key given matched the course's key hash.
   * The handler compares; the decider never sees the key. It must be true for
   * a self-enrolment, so a handler passes true when the course asks no key.
   */
  keyMatches?: boolean;
  /** The learner's own period, e.g. a trial month; left out, it is open. */
  startsAt?: string;
  endsAt?: string;
}

export interface UnenrolLearner {
  type: 'UnenrolLearner';
  courseId: string;
  learnerId: string;
  by: string;
  now: string;
  /** Free text, personal data about the learner: see LearnerUnenrolled. */
  reason?: unknown;
  /** A bulk run unenrols whoever is enrolled and skips the others silently. */
  bulk?: boolean;
}

export type EnrolmentCommand = EnrolLearner | UnenrolLearner;

export interface EnrolmentState {
  status: 'none' | 'enrolled' | 'unenrolled';
  courseId: string | null;
  learnerId: string | null;
  method: EnrolmentMethod | null;
  /** The individual period of the current (or last) enrolment; null ends are open. */
  startsAt: string | null;
  endsAt: string | null;
  enrolledAt: string | null;
  unenrolledAt: string | null;
}

export const initialEnrolmentState = (): EnrolmentState => ({
  status: 'none',
  courseId: null,
  learnerId: null,
  method: null,
  startsAt: null,
  endsAt: null,
  enrolledAt: null,
  unenrolledAt: null,
});

/** The enrolment's id: a UUID v5 of the pair, the same however often it is computed. */
export const enrolmentId = (courseId: string, learnerId: string): string => uuidV5(`${courseId.toLowerCase()}:${learnerId.toLowerCase()}`, ENROLMENT_NAMESPACE);

export const enrolmentStreamId = (courseId: string, learnerId: string): string => `enrolment-${enrolmentId(courseId, learnerId)}`;

/**
 * Whether the learner is enrolled and inside their individual period at `now`:
 * what grading, submitting and course access ask.
 */
export function isActiveEnrolment(state: EnrolmentState, now: string): boolean {
  return state.status === 'enrolled' && isWithinPeriod(state, now);
}

/** Enrolled, and the individual period (if any) is not over: a new enrolment would duplicate it. */
const isCurrentEnrolment = (state: EnrolmentState, now: string): boolean =>
  state.status === 'enrolled' && (state.endsAt === null || millis(now) < millis(state.endsAt));

function enrolProblems(command: EnrolLearner): string[] {
  const problems: string[] = [];
  if (!isUuid(command.courseId)) problems.push('courseId must be a UUID');
  if (!isUuid(command.learnerId)) problems.push('learnerId must be a UUID');
  if (!isInstant(command.now)) problems.push('now must be an ISO-8601 UTC timestamp');
  if (!ENROLMENT_METHODS.includes(command.method)) problems.push(`method must be one of ${ENROLMENT_METHODS.join(', ')}`);
  if (command.method === 'self' && command.by !== command.learnerId) problems.push('a self-enrolment is made by the learner themself');
  const period = periodProblems('period', { startsAt: command.startsAt, endsAt: command.endsAt });
  problems.push(...period);
  if (!period.length && isInstant(command.endsAt) && isInstant(command.now) && millis(command.endsAt) <= millis(command.now)) problems.push('period.endsAt must be in the future');
  return problems;
}

function enrol(command: EnrolLearner, state: EnrolmentState): EnrolmentEvent[] {
  const problems = enrolProblems(command);
  if (problems.length) throw new DomainError('invalid', 'ENROLMENT_INVALID', `the enrolment is not valid: ${problems.join('; ')}`, problems);
  const { course } = command;
  if (course.archived) throw courseArchived(command.courseId);
  if (command.method === 'self') {
    if (!course.selfEnrolment.enabled) throw new DomainError('forbidden', 'SELF_ENROLMENT_DISABLED', 'this course does not accept self-enrolment');
    if (command.keyMatches !== true) throw new DomainError('forbidden', 'ENROLMENT_KEY_INVALID', 'the enrolment key is not right');
  }
  if (isCurrentEnrolment(state, command.now)) {
    if (command.method === 'bulk') return [];
    throw new DomainError('conflict', 'ENROLMENT_EXISTS', `learner ${command.learnerId} is already enrolled in course ${command.courseId}`);
  }
  if (!isWithinPeriod(course.enrolmentPeriod, command.now)) throw new DomainError('rule', 'ENROLMENT_CLOSED', 'enrolment in this course is closed at this time');
  return [
    {
      type: 'LearnerEnrolled',
      data: {
        courseId: command.courseId,
        learnerId: command.learnerId,
        method: command.method,
        startsAt: command.startsAt ?? null,
        endsAt: command.endsAt ?? null,
        by: command.by,
        at: command.now,
      },
    },
  ];
}

function unenrol(command: UnenrolLearner, state: EnrolmentState): EnrolmentEvent[] {
  if (state.status !== 'enrolled') {
    if (command.bulk) return [];
    throw new DomainError('conflict', 'NOT_ENROLLED', `learner ${command.learnerId} is not enrolled in course ${command.courseId}`);
  }
  return [
    {
      type: 'LearnerUnenrolled',
      data: { courseId: command.courseId, learnerId: command.learnerId, reason: command.reason ?? null, by: command.by, at: command.now },
    },
  ];
}

export function evolveEnrolment(state: EnrolmentState, event: EnrolmentEvent): EnrolmentState {
  switch (event.type) {
    case 'LearnerEnrolled': {
      const { courseId, learnerId, method, startsAt, endsAt, at } = event.data;
      return { status: 'enrolled', courseId, learnerId, method, startsAt, endsAt, enrolledAt: at, unenrolledAt: null };
    }
    case 'LearnerUnenrolled':
      return { ...state, status: 'unenrolled', unenrolledAt: event.data.at };
  }
}

export const enrolmentDecider: Decider<EnrolmentCommand, EnrolmentEvent, EnrolmentState> = {
  initialState: initialEnrolmentState,
  evolve: evolveEnrolment,
  decide: (command, state) => (command.type === 'EnrolLearner' ? enrol(command, state) : unenrol(command, state)),
};
