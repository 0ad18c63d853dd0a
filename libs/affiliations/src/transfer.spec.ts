import { randomUUID } from 'node:crypto';
import { spec } from '../../domain/src/testing/given-when-then';
import type { TransferEvent } from './affiliation.events';
import { decideAddMember, initialMembershipState, evolveMembership, type AddMember } from './membership';
import type { SchoolState } from './school';
import { transferDecider, type TransferCommand } from './transfer';

const transferId = randomUUID();
const userId = randomUUID();
const north = randomUUID();
const south = randomUUID();
const staff = randomUUID();
const parent = randomUUID();
const at = '2025-02-01T09:00:00.000Z';
const later = '2025-02-03T09:00:00.000Z';

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: { transferId, userId, toSchoolId: north, fromSchoolId: south, role: 'learner', classId: null, gradeLevel: 'P5', by: staff, at },
};
const request = (extra: Partial<Extract<TransferCommand, { type: 'RequestTransfer' }>> = {}): TransferCommand => ({
  type: 'RequestTransfer', transferId, userId, toSchoolId: north, fromSchoolId: south, role: 'learner', classId: null, gradeLevel: 'P5', by: staff, at, ...extra,
});
const ids = { transferId, userId, toSchoolId: north };

describe('transfer decider', () => {
  it('given nothing, when staff ask, then TransferRequested naming the school the learner would leave', () => {
    spec(transferDecider).given().when(request()).then([requested]);
  });

  it('refuses a second request on the same stream, a bad role, a bad grade level, and a move into the school the learner is in', () => {
    spec(transferDecider).given(requested).when(request()).thenFails('TRANSFER_EXISTS');
    spec(transferDecider).given().when(request({ role: 'principal' as never })).thenFails('INVALID_ROLE');
    spec(transferDecider).given().when(request({ gradeLevel: '' })).thenFails('INVALID_GRADE_LEVEL');
    spec(transferDecider).given().when(request({ fromSchoolId: north })).thenFails('ALREADY_MEMBER');
  });

  it('given a request, when the person accepts, then TransferAccepted with the school actually left', () => {
    spec(transferDecider).given(requested).when({ type: 'AcceptTransfer', as: 'self', fromSchoolId: south, by: userId, at: later }).then([
      { type: 'TransferAccepted', data: { ...ids, fromSchoolId: south, as: 'self', by: userId, at: later } },
    ]);
  });

  it('given a request, when a parent declines for a minor, then TransferDeclined as parent', () => {
    spec(transferDecider).given(requested).when({ type: 'DeclineTransfer', as: 'parent', by: parent, at: later }).then([
      { type: 'TransferDeclined', data: { ...ids, fromSchoolId: south, as: 'parent', by: parent, at: later } },
    ]);
  });

  it('given a request, when the asking school cancels, then TransferCancelled', () => {
    spec(transferDecider).given(requested).when({ type: 'CancelTransfer', by: staff, at: later }).then([
      { type: 'TransferCancelled', data: { ...ids, fromSchoolId: south, by: staff, at: later } },
    ]);
  });

  it('decides once: an accepted, declined or cancelled transfer is not pending; an unknown one is not found', () => {
    const accepted: TransferEvent = { type: 'TransferAccepted', data: { ...ids, fromSchoolId: south, as: 'self', by: userId, at: later } };
    const cancelled: TransferEvent = { type: 'TransferCancelled', data: { ...ids, fromSchoolId: south, by: staff, at: later } };
    const declined: TransferEvent = { type: 'TransferDeclined', data: { ...ids, fromSchoolId: south, as: 'self', by: userId, at: later } };
    spec(transferDecider).given(requested, accepted).when({ type: 'DeclineTransfer', as: 'self', by: userId, at: later }).thenFails('TRANSFER_NOT_PENDING');
    spec(transferDecider).given(requested, cancelled).when({ type: 'AcceptTransfer', as: 'self', fromSchoolId: south, by: userId, at: later }).thenFails('TRANSFER_NOT_PENDING');
    spec(transferDecider).given(requested, declined).when({ type: 'CancelTransfer', by: staff, at: later }).thenFails('TRANSFER_NOT_PENDING');
    spec(transferDecider).given().when({ type: 'AcceptTransfer', as: 'self', fromSchoolId: null, by: userId, at: later }).thenFails('TRANSFER_NOT_FOUND');
  });
});

describe('direct affiliation (AddMember): only of accounts already the school’s', () => {
  const school = (schoolId: string): SchoolState => ({ schoolId, name: 'S', code: 'S', country: 'TH', createdAt: at, archivedAt: null, classes: {} });
  const joined = (schoolId: string, role: 'learner' | 'teacher') =>
    evolveMembership(initialMembershipState(), { type: 'SchoolJoined', data: { membershipId: randomUUID(), userId, schoolId, role, classId: null, gradeLevel: null, by: staff, at } });
  const add = (role: 'learner' | 'teacher' | 'school_admin', addedBy: AddMember['addedBy']): AddMember => ({
    type: 'AddMember', membershipId: randomUUID(), userId, schoolId: north, role, classId: null, gradeLevel: null, by: staff, at: later, addedBy,
  });

  it('refuses staff an account of another school, or of no school: TRANSFER_REQUIRED', () => {
    expect(() => decideAddMember(add('learner', 'school_staff'), joined(south, 'learner'), school(north))).toThrow(expect.objectContaining({ code: 'TRANSFER_REQUIRED', status: 409 }));
    expect(() => decideAddMember(add('teacher', 'school_staff'), joined(south, 'teacher'), school(north))).toThrow(expect.objectContaining({ code: 'TRANSFER_REQUIRED' }));
    expect(() => decideAddMember(add('learner', 'school_staff'), initialMembershipState(), school(north))).toThrow(expect.objectContaining({ code: 'TRANSFER_REQUIRED' }));
  });

  it('refuses everyone, the platform admin included, a move of a learner out of another school', () => {
    expect(() => decideAddMember(add('learner', 'platform_admin'), joined(south, 'learner'), school(north))).toThrow(expect.objectContaining({ code: 'TRANSFER_REQUIRED' }));
  });

  it('lets staff give another role to their own member, and the platform admin affiliate an account of no school', () => {
    const [event] = decideAddMember(add('school_admin', 'school_staff'), joined(north, 'teacher'), school(north));
    expect(event).toMatchObject({ type: 'SchoolJoined', data: { schoolId: north, role: 'school_admin' } });
    const [first] = decideAddMember(add('learner', 'platform_admin'), initialMembershipState(), school(north));
    expect(first).toMatchObject({ type: 'SchoolJoined', data: { schoolId: north, role: 'learner' } });
  });
});
