/**
 * A person's memberships of schools, folded from their user stream (which
 * also holds the identity feature's account events: those are ignored).
 *
 * Rules:
 * - one active membership per (school, role); a person may hold several roles
 *   in a school and be staff in several schools;
 * - a learner learns in one school at a time: joining another school as a
 *   learner ends the current learner membership (SchoolLeft, reason "moved"),
 *   in the same append; the history keeps both;
 * - staff add directly (AddMember) only an account that is already their
 *   school's by an accepted membership (another role in the same school); a
 *   platform admin also an account of no school. Anything else, and any move
 *   of a learner out of another school, is a transfer the person accepts
 *   (transfer.ts): TRANSFER_REQUIRED;
 * - the class must be an open class of that school; when only the class is
 *   given, the grade level is the class's.
 */
import type { SchoolRole } from '@learnstream/access';
import { DomainError, type Decider } from '@learnstream/domain';
import type { MembershipEvent, SchoolLeft } from './affiliation.events';
import type { SchoolState } from './school';
import { isGradeLevel, isText, REASON_MAX } from './values';

export interface Membership {
  membershipId: string;
  schoolId: string;
  role: SchoolRole;
  classId: string | null;
  gradeLevel: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface MembershipState {
  /** In the order they started. */
  memberships: Membership[];
}

export const initialMembershipState = (): MembershipState => ({ memberships: [] });

export const SCHOOL_ROLE_VALUES: readonly SchoolRole[] = ['learner', 'teacher', 'school_admin'];
export const MOVED = 'moved to another school';

interface Stamp {
  by: string | null;
  at: string;
}

export type JoinSchool = { type: 'JoinSchool'; membershipId: string; userId: string; schoolId: string; role: SchoolRole; classId: string | null; gradeLevel: string | null } & Stamp;
/** `role` picks the membership when the person holds several in the school; `undefined` fields are kept. */
export type ChangeClass = { type: 'ChangeClass'; userId: string; schoolId: string; role: SchoolRole | null; classId?: string | null; gradeLevel?: string | null } & Stamp;
export type LeaveSchool = { type: 'LeaveSchool'; userId: string; schoolId: string; role: SchoolRole | null; reason: string | null } & Stamp;
/** A direct affiliation by staff of the school (`addedBy: 'school_staff'`) or by a platform admin. */
export type AddMember = Omit<JoinSchool, 'type'> & { type: 'AddMember'; addedBy: 'school_staff' | 'platform_admin' };
export type MembershipCommand = JoinSchool | AddMember | ChangeClass | LeaveSchool;

/** Folds a user stream; ignores every event that is not a membership's. */
export function evolveMembership(state: MembershipState, event: { type: string; data: unknown }): MembershipState {
  const e = event as MembershipEvent;
  const update = (membershipId: string, change: Partial<Membership>): MembershipState => ({
    memberships: state.memberships.map((m) => (m.membershipId === membershipId ? { ...m, ...change } : m)),
  });
  switch (e.type) {
    case 'SchoolJoined': {
      const { membershipId, schoolId, role, classId, gradeLevel, at } = e.data;
      return { memberships: [...state.memberships, { membershipId, schoolId, role, classId, gradeLevel, startedAt: at, endedAt: null }] };
    }
    case 'ClassChanged':
      return update(e.data.membershipId, { classId: e.data.classId, gradeLevel: e.data.gradeLevel });
    case 'SchoolLeft':
      return update(e.data.membershipId, { endedAt: e.data.at });
    default:
      return state;
  }
}

export const activeMemberships = (state: MembershipState) => state.memberships.filter((m) => m.endedAt === null);

/** The open class of `school` named by `classId`, or a 400: the id came in the request body. */
function classOf(school: SchoolState, classId: string | null) {
  if (classId === null) return null;
  const found = school.classes[classId];
  if (!found || found.archivedAt) throw new DomainError('invalid', 'UNKNOWN_CLASS', 'no such open class in this school');
  return found;
}

function checkGradeLevel(gradeLevel: unknown): void {
  if (!isGradeLevel(gradeLevel)) throw new DomainError('invalid', 'INVALID_GRADE_LEVEL', 'a grade level is null or 1 to 30 characters');
}

/**
 * Affiliates a person with a school. Exported for the identity feature, which
 * opens accounts already affiliated (account and membership events in one
 * append to the new user stream): there, `state` is the initial state.
 */
export function decideJoinSchool(command: JoinSchool, state: MembershipState, school: SchoolState | null): MembershipEvent[] {
  if (!school) throw new DomainError('invalid', 'UNKNOWN_SCHOOL', 'no such school');
  if (school.schoolId !== command.schoolId) throw new DomainError('invalid', 'UNKNOWN_SCHOOL', 'the school given is not the school of the command');
  if (school.archivedAt) throw new DomainError('rule', 'SCHOOL_ARCHIVED', 'the school is archived: it takes no new members');
  if (!SCHOOL_ROLE_VALUES.includes(command.role)) throw new DomainError('invalid', 'INVALID_ROLE', 'role must be learner, teacher or school_admin');
  const schoolClass = classOf(school, command.classId);
  if (command.gradeLevel !== null) checkGradeLevel(command.gradeLevel);
  const active = activeMemberships(state);
  if (active.some((m) => m.schoolId === command.schoolId && m.role === command.role)) {
    throw new DomainError('conflict', 'ALREADY_MEMBER', `already a ${command.role} of this school`);
  }
  const { membershipId, userId, schoolId, role, classId, by, at } = command;
  const moves: SchoolLeft[] =
    role === 'learner'
      ? active
          .filter((m) => m.role === 'learner')
          .map((m) => ({ type: 'SchoolLeft', data: { membershipId: m.membershipId, userId, schoolId: m.schoolId, reason: MOVED, by, at } }))
      : [];
  const gradeLevel = command.gradeLevel ?? schoolClass?.gradeLevel ?? null;
  return [...moves, { type: 'SchoolJoined', data: { membershipId, userId, schoolId, role, classId, gradeLevel, by, at } }];
}

const transferRequired = () =>
  new DomainError('conflict', 'TRANSFER_REQUIRED', 'this account is not a member of your school: ask for a transfer (POST /schools/{id}/transfers), which the person accepts');

/**
 * Direct affiliation: only of an account already the school's (staff), or of
 * no school at all (a platform admin); never a learner out of another school.
 */
export function decideAddMember(command: AddMember, state: MembershipState, school: SchoolState | null): MembershipEvent[] {
  const { addedBy, ...join } = command;
  // The join's own checks first (school, class, already a member): bad input is bad input whoever asks.
  const events = decideJoinSchool({ ...join, type: 'JoinSchool' }, state, school);
  const movesLearner = events.some((e) => e.type === 'SchoolLeft');
  const ours = activeMemberships(state).some((m) => m.schoolId === command.schoolId);
  if (movesLearner || (addedBy === 'school_staff' && !ours)) throw transferRequired();
  return events;
}

/** The active membership of the person in the school, picked by role when they hold several. */
function membershipIn(state: MembershipState, schoolId: string, role: SchoolRole | null): Membership {
  const candidates = activeMemberships(state).filter((m) => m.schoolId === schoolId && (role === null || m.role === role));
  if (candidates.length === 0) throw new DomainError('not_found', 'NOT_A_MEMBER', role ? `not a ${role} of this school` : 'not a member of this school');
  if (candidates.length > 1) throw new DomainError('invalid', 'ROLE_REQUIRED', `a member of this school as ${candidates.map((m) => m.role).join(' and ')}: say which role`);
  return candidates[0];
}

export function decideChangeClass(command: ChangeClass, state: MembershipState, school: SchoolState | null): MembershipEvent[] {
  if (!school) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', 'no such school');
  if (school.archivedAt) throw new DomainError('rule', 'SCHOOL_ARCHIVED', 'the school is archived');
  const membership = membershipIn(state, command.schoolId, command.role);
  const classId = command.classId === undefined ? membership.classId : command.classId;
  const schoolClass = command.classId === undefined ? null : classOf(school, command.classId);
  if (command.gradeLevel !== undefined) checkGradeLevel(command.gradeLevel);
  const gradeLevel = command.gradeLevel !== undefined ? command.gradeLevel : (schoolClass?.gradeLevel ?? membership.gradeLevel);
  if (classId === membership.classId && gradeLevel === membership.gradeLevel) return [];
  const { userId, schoolId, by, at } = command;
  return [{ type: 'ClassChanged', data: { membershipId: membership.membershipId, userId, schoolId, classId, gradeLevel, by, at } }];
}

export function decideLeaveSchool(command: LeaveSchool, state: MembershipState): MembershipEvent[] {
  if (command.reason !== null && !isText(command.reason, REASON_MAX)) throw new DomainError('invalid', 'INVALID_REASON', `a reason is 1 to ${REASON_MAX} characters`);
  const membership = membershipIn(state, command.schoolId, command.role);
  const { userId, schoolId, reason, by, at } = command;
  return [{ type: 'SchoolLeft', data: { membershipId: membership.membershipId, userId, schoolId, reason, by, at } }];
}

/** The membership decider, for a given school (the command's school, loaded by the handler). */
export function membershipDecider(school: SchoolState | null): Decider<MembershipCommand, MembershipEvent, MembershipState> {
  return {
    initialState: initialMembershipState,
    evolve: evolveMembership,
    decide: (command, state) => {
      switch (command.type) {
        case 'JoinSchool':
          return decideJoinSchool(command, state, school);
        case 'AddMember':
          return decideAddMember(command, state, school);
        case 'ChangeClass':
          return decideChangeClass(command, state, school);
        case 'LeaveSchool':
          return decideLeaveSchool(command, state);
      }
    },
  };
}
