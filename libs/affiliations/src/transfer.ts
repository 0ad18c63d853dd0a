/**
 * A transfer: an existing account asked to join a school (`transfer-<id>`).
 * It is how a learner moves between schools, and how an account of no school
 * (self-registered) or of another school becomes a school's: the school's
 * staff ask, the person decides. Until then the school has no hold on the
 * account (it cannot read it, reset it, link a parent to it).
 *
 *   (none) --request--> requested --accept---> accepted   (the membership starts, the
 *                                                         learner's old one ends: one append)
 *                       requested --decline--> declined   (the person, or for a minor a parent)
 *                       requested --cancel---> cancelled  (the asking school)
 *
 * Who decides is the access policy's `transfer.decide` (the adult person, a
 * confirmed parent of a minor, the platform admin); the decider only keeps the
 * states straight. `fromSchoolId` is the school a learner leaves (null for a
 * staff role or an account of no school): that school sees the transfer.
 */
import type { SchoolRole } from '@learnstream/access';
import { DomainError, type Decider } from '@learnstream/domain';
import type { TransferEvent } from './affiliation.events';
import { SCHOOL_ROLE_VALUES } from './membership';
import { isGradeLevel } from './values';

export type TransferStatus = 'requested' | 'accepted' | 'declined' | 'cancelled';

export interface TransferState {
  transferId: string;
  userId: string;
  toSchoolId: string;
  fromSchoolId: string | null;
  role: SchoolRole;
  classId: string | null;
  gradeLevel: string | null;
  status: TransferStatus;
  requestedBy: string | null;
}

interface Stamp {
  by: string;
  at: string;
}

export type TransferCommand =
  | ({ type: 'RequestTransfer'; transferId: string; userId: string; toSchoolId: string; fromSchoolId: string | null; role: SchoolRole; classId: string | null; gradeLevel: string | null } & Stamp)
  /** `as`: how the decider stands to the person (recorded: a parent's acceptance is told apart from the person's). */
  | ({ type: 'AcceptTransfer'; as: TransferDecider; fromSchoolId: string | null } & Stamp)
  | ({ type: 'DeclineTransfer'; as: TransferDecider } & Stamp)
  | ({ type: 'CancelTransfer' } & Stamp);

export type TransferDecider = 'self' | 'parent' | 'platform_admin';

export function evolveTransfer(state: TransferState | null, event: { type: string; data: unknown }): TransferState | null {
  const e = event as TransferEvent;
  switch (e.type) {
    case 'TransferRequested': {
      const { transferId, userId, toSchoolId, fromSchoolId, role, classId, gradeLevel, by } = e.data;
      return { transferId, userId, toSchoolId, fromSchoolId, role, classId, gradeLevel, status: 'requested', requestedBy: by };
    }
    case 'TransferAccepted':
      return state && { ...state, status: 'accepted', fromSchoolId: e.data.fromSchoolId };
    case 'TransferDeclined':
      return state && { ...state, status: 'declined' };
    case 'TransferCancelled':
      return state && { ...state, status: 'cancelled' };
    default:
      return state;
  }
}

function pending(state: TransferState | null): TransferState {
  if (!state) throw new DomainError('not_found', 'TRANSFER_NOT_FOUND', 'no such transfer');
  if (state.status !== 'requested') throw new DomainError('conflict', 'TRANSFER_NOT_PENDING', `the transfer is ${state.status}, not waiting for a decision`);
  return state;
}

export function decideTransfer(command: TransferCommand, state: TransferState | null): TransferEvent[] {
  const { by, at } = command;
  switch (command.type) {
    case 'RequestTransfer': {
      if (state) throw new DomainError('conflict', 'TRANSFER_EXISTS', 'this transfer was already requested');
      if (!SCHOOL_ROLE_VALUES.includes(command.role)) throw new DomainError('invalid', 'INVALID_ROLE', 'role must be learner, teacher or school_admin');
      if (command.gradeLevel !== null && !isGradeLevel(command.gradeLevel)) throw new DomainError('invalid', 'INVALID_GRADE_LEVEL', 'a grade level is null or 1 to 30 characters');
      if (command.fromSchoolId === command.toSchoolId) throw new DomainError('conflict', 'ALREADY_MEMBER', 'already a learner of this school');
      const { transferId, userId, toSchoolId, fromSchoolId, role, classId, gradeLevel } = command;
      return [{ type: 'TransferRequested', data: { transferId, userId, toSchoolId, fromSchoolId, role, classId, gradeLevel, by, at } }];
    }
    case 'AcceptTransfer': {
      const t = pending(state);
      return [{ type: 'TransferAccepted', data: { transferId: t.transferId, userId: t.userId, toSchoolId: t.toSchoolId, fromSchoolId: command.fromSchoolId, as: command.as, by, at } }];
    }
    case 'DeclineTransfer': {
      const t = pending(state);
      return [{ type: 'TransferDeclined', data: { transferId: t.transferId, userId: t.userId, toSchoolId: t.toSchoolId, fromSchoolId: t.fromSchoolId, as: command.as, by, at } }];
    }
    case 'CancelTransfer': {
      const t = pending(state);
      return [{ type: 'TransferCancelled', data: { transferId: t.transferId, userId: t.userId, toSchoolId: t.toSchoolId, fromSchoolId: t.fromSchoolId, by, at } }];
    }
  }
}

export const transferDecider: Decider<TransferCommand, TransferEvent, TransferState | null> = {
  initialState: () => null,
  evolve: evolveTransfer,
  decide: decideTransfer,
};
