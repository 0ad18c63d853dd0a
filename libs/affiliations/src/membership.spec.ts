import { randomUUID } from 'node:crypto';
import { spec } from '../../domain/src/testing/given-when-then';
import type { MembershipEvent } from './affiliation.events';
import { decideJoinSchool, evolveMembership, initialMembershipState, membershipDecider, MOVED } from './membership';
import type { SchoolState } from './school';

const userId = randomUUID();
const admin = randomUUID();
const at = '2025-02-01T09:00:00.000Z';
const later = '2025-06-01T09:00:00.000Z';
const classId = randomUUID();
const archivedClassId = randomUUID();

function school(overrides: Partial<SchoolState> = {}): SchoolState {
  return {
    schoolId: randomUUID(),
    name: 'North School',
    code: 'NORTH',
    country: 'TH',
    createdAt: at,
    archivedAt: null,
    classes: {
      [classId]: { classId, name: 'M1/1', gradeLevel: 'M1', createdAt: at, archivedAt: null },
      [archivedClassId]: { classId: archivedClassId, name: 'Old', gradeLevel: null, createdAt: at, archivedAt: at },
    },
    ...overrides,
  };
}

const north = school();
const south = school({ code: 'SOUTH', classes: {} });
const m1 = randomUUID();

const joined = (s: SchoolState, role: 'learner' | 'teacher' | 'school_admin', membershipId = m1, extra: Partial<{ classId: string | null; gradeLevel: string | null }> = {}): MembershipEvent => ({
  type: 'SchoolJoined',
  data: { membershipId, userId, schoolId: s.schoolId, role, classId: null, gradeLevel: null, by: admin, at, ...extra },
});
const join = (s: SchoolState, role: 'learner' | 'teacher' | 'school_admin', extra: object = {}) => ({
  type: 'JoinSchool' as const, membershipId: randomUUID(), userId, schoolId: s.schoolId, role, classId: null, gradeLevel: null, by: admin, at: later, ...extra,
});

describe('membership decider', () => {
  describe('JoinSchool', () => {
    it('affiliates a person with a school; the grade level comes from the class when not given', () => {
      const command = join(north, 'learner', { classId });
      spec(membershipDecider(north)).given().when(command).then([
        { type: 'SchoolJoined', data: { membershipId: command.membershipId, userId, schoolId: north.schoolId, role: 'learner', classId, gradeLevel: 'M1', by: admin, at: later } },
      ]);
      const explicit = join(north, 'learner', { classId, gradeLevel: 'M1 gifted' });
      expect(spec(membershipDecider(north)).given().when(explicit).events()[0].data).toMatchObject({ gradeLevel: 'M1 gifted' });
    });

    it('throws UNKNOWN_SCHOOL (invalid) when the school does not exist', () => {
      spec(membershipDecider(null)).given().when(join(north, 'learner')).thenFails('UNKNOWN_SCHOOL');
      expect(() => decideJoinSchool(join(north, 'learner'), initialMembershipState(), null)).toThrow(expect.objectContaining({ kind: 'invalid', status: 400 }));
    });
    it('refuses a school that is not the command’s', () => spec(membershipDecider(south)).given().when(join(north, 'learner')).thenFails('UNKNOWN_SCHOOL'));
    it('refuses an archived school (rule)', () => {
      spec(membershipDecider({ ...north, archivedAt: at })).given().when(join(north, 'teacher')).thenFails('SCHOOL_ARCHIVED');
      expect(() => decideJoinSchool(join(north, 'teacher'), initialMembershipState(), { ...north, archivedAt: at })).toThrow(expect.objectContaining({ kind: 'rule' }));
    });
    it('refuses a class that is not an open class of the school', () => {
      spec(membershipDecider(north)).given().when(join(north, 'learner', { classId: randomUUID() })).thenFails('UNKNOWN_CLASS');
      spec(membershipDecider(north)).given().when(join(north, 'learner', { classId: archivedClassId })).thenFails('UNKNOWN_CLASS');
    });
    it('refuses an unknown role and a bad grade level', () => {
      spec(membershipDecider(north)).given().when(join(north, 'janitor' as 'learner')).thenFails('INVALID_ROLE');
      spec(membershipDecider(north)).given().when(join(north, 'learner', { gradeLevel: '' })).thenFails('INVALID_GRADE_LEVEL');
    });
    it('refuses a second active membership with the same school and role (conflict)', () =>
      spec(membershipDecider(north)).given(joined(north, 'teacher')).when(join(north, 'teacher')).thenFails('ALREADY_MEMBER'));
    it('allows another role in the same school, and the same role again after leaving', () => {
      expect(spec(membershipDecider(north)).given(joined(north, 'teacher')).when(join(north, 'school_admin')).events()).toHaveLength(1);
      const left: MembershipEvent = { type: 'SchoolLeft', data: { membershipId: m1, userId, schoolId: north.schoolId, reason: null, by: admin, at } };
      expect(spec(membershipDecider(north)).given(joined(north, 'teacher'), left).when(join(north, 'teacher')).events()).toHaveLength(1);
    });
    it('lets staff belong to several schools at once', () =>
      expect(spec(membershipDecider(south)).given(joined(north, 'teacher')).when(join(south, 'teacher')).events().map((e) => e.type)).toEqual(['SchoolJoined']));
    it('moves a learner: the old learner membership ends in the same decision, the new one starts', () => {
      const command = join(south, 'learner');
      spec(membershipDecider(south)).given(joined(north, 'learner', m1, { classId })).when(command).then([
        { type: 'SchoolLeft', data: { membershipId: m1, userId, schoolId: north.schoolId, reason: MOVED, by: admin, at: later } },
        { type: 'SchoolJoined', data: { membershipId: command.membershipId, userId, schoolId: south.schoolId, role: 'learner', classId: null, gradeLevel: null, by: admin, at: later } },
      ]);
    });
  });

  describe('ChangeClass', () => {
    const change = (extra: object) => ({ type: 'ChangeClass' as const, userId, schoolId: north.schoolId, role: null, by: admin, at: later, ...extra });
    it('moves the member to another class, taking its grade level', () =>
      spec(membershipDecider(north)).given(joined(north, 'learner')).when(change({ classId })).then([
        { type: 'ClassChanged', data: { membershipId: m1, userId, schoolId: north.schoolId, classId, gradeLevel: 'M1', by: admin, at: later } },
      ]));
    it('changes the grade level only, or takes the member out of their class', () => {
      spec(membershipDecider(north)).given(joined(north, 'learner', m1, { classId, gradeLevel: 'M1' })).when(change({ gradeLevel: 'M2' })).then([
        { type: 'ClassChanged', data: { membershipId: m1, userId, schoolId: north.schoolId, classId, gradeLevel: 'M2', by: admin, at: later } },
      ]);
      expect(spec(membershipDecider(north)).given(joined(north, 'learner', m1, { classId, gradeLevel: 'M1' })).when(change({ classId: null })).events()[0].data).toMatchObject({ classId: null, gradeLevel: 'M1' });
    });
    it('records nothing when nothing changes', () => spec(membershipDecider(north)).given(joined(north, 'learner', m1, { classId, gradeLevel: 'M1' })).when(change({ classId })).then([]));
    it('needs an active membership, and the role when there are several', () => {
      spec(membershipDecider(north)).given().when(change({ classId })).thenFails('NOT_A_MEMBER');
      spec(membershipDecider(north)).given(joined(north, 'teacher'), joined(north, 'school_admin', randomUUID())).when(change({ classId })).thenFails('ROLE_REQUIRED');
      expect(spec(membershipDecider(north)).given(joined(north, 'teacher'), joined(north, 'school_admin', randomUUID())).when(change({ classId, role: 'teacher' })).events()[0].data).toMatchObject({ membershipId: m1 });
    });
    it('refuses an unknown class, an archived school, a missing school', () => {
      spec(membershipDecider(north)).given(joined(north, 'learner')).when(change({ classId: randomUUID() })).thenFails('UNKNOWN_CLASS');
      spec(membershipDecider({ ...north, archivedAt: at })).given(joined(north, 'learner')).when(change({ classId })).thenFails('SCHOOL_ARCHIVED');
      spec(membershipDecider(null)).given(joined(north, 'learner')).when(change({ classId })).thenFails('SCHOOL_NOT_FOUND');
    });
  });

  describe('LeaveSchool', () => {
    const leave = (extra: object = {}) => ({ type: 'LeaveSchool' as const, userId, schoolId: north.schoolId, role: null, reason: 'graduated', by: admin, at: later, ...extra });
    it('ends the membership, keeping it in the history', () => {
      const then = spec(membershipDecider(north)).given(joined(north, 'learner'));
      then.when(leave()).then([{ type: 'SchoolLeft', data: { membershipId: m1, userId, schoolId: north.schoolId, reason: 'graduated', by: admin, at: later } }]);
      const state = evolveMembership(then.state, then.when(leave()).events()[0]);
      expect(state.memberships).toEqual([expect.objectContaining({ membershipId: m1, startedAt: at, endedAt: later })]);
    });
    it('needs an active membership (with that role)', () => {
      spec(membershipDecider(north)).given().when(leave()).thenFails('NOT_A_MEMBER');
      spec(membershipDecider(north)).given(joined(north, 'learner')).when(leave({ role: 'teacher' })).thenFails('NOT_A_MEMBER');
    });
    it('checks the reason', () => spec(membershipDecider(north)).given(joined(north, 'learner')).when(leave({ reason: 'x'.repeat(501) })).thenFails('INVALID_REASON'));
  });

  it('evolve ignores the account events of the user stream', () => {
    const state = initialMembershipState();
    expect(evolveMembership(state, { type: 'AccountCreated', data: { userId } })).toBe(state);
  });
});
