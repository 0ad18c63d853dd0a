/**
 * A parent link: one stream per (parent, child) pair. A parent asks for it,
 * a school admin of the child's school or the adult child decides; a school
 * admin may create it confirmed at once. Whoever may decide, it is never the
 * parent (no one confirms their own claim to a child).
 *
 *   none/rejected/revoked --request--> requested --confirm--> confirmed
 *                                      requested --reject---> rejected
 *                         requested|confirmed --revoke---> revoked
 */
import { DomainError, type Decider } from '@learnstream/domain';
import type { ParentLinkEvent } from './affiliation.events';

export type ParentLinkStatus = 'requested' | 'confirmed' | 'rejected' | 'revoked';

export interface ParentLinkState {
  linkId: string;
  parentId: string;
  childId: string;
  status: ParentLinkStatus;
  requestedBy: string | null;
}

export type ParentLinkCommand =
  /** `confirmed`: created by a school admin, confirmed at once. */
  | { type: 'RequestParentLink'; linkId: string; parentId: string; childId: string; requestedBy: string; confirmed: boolean; at: string }
  | { type: 'ConfirmParentLink'; linkId: string; decidedBy: string; at: string }
  | { type: 'RejectParentLink'; linkId: string; decidedBy: string; at: string }
  | { type: 'RevokeParentLink'; linkId: string; revokedBy: string; at: string };

export function evolveParentLink(state: ParentLinkState | null, event: { type: string; data: unknown }): ParentLinkState | null {
  const e = event as ParentLinkEvent;
  switch (e.type) {
    case 'ParentLinkRequested':
      return { linkId: e.data.linkId, parentId: e.data.parentId, childId: e.data.childId, status: 'requested', requestedBy: e.data.requestedBy };
    case 'ParentLinkConfirmed':
      return state && { ...state, status: 'confirmed' };
    case 'ParentLinkRejected':
      return state && { ...state, status: 'rejected' };
    case 'ParentLinkRevoked':
      return state && { ...state, status: 'revoked' };
    default:
      return state;
  }
}

export const isActiveLink = (state: ParentLinkState | null) => state?.status === 'requested' || state?.status === 'confirmed';

function existing(state: ParentLinkState | null): ParentLinkState {
  if (!state) throw new DomainError('not_found', 'PARENT_LINK_NOT_FOUND', 'no such parent link');
  return state;
}

function decider(state: ParentLinkState, decidedBy: string): { linkId: string; parentId: string; childId: string } {
  if (decidedBy === state.parentId) throw new DomainError('forbidden', 'PARENT_CANNOT_DECIDE', 'a parent cannot confirm or reject their own link');
  if (state.status !== 'requested') throw new DomainError('conflict', 'PARENT_LINK_NOT_PENDING', `the link is ${state.status}, not waiting for a decision`);
  return { linkId: state.linkId, parentId: state.parentId, childId: state.childId };
}

export function decideParentLink(command: ParentLinkCommand, state: ParentLinkState | null): ParentLinkEvent[] {
  const { at } = command;
  switch (command.type) {
    case 'RequestParentLink': {
      const { linkId, parentId, childId, requestedBy } = command;
      if (parentId === childId) throw new DomainError('invalid', 'OWN_PARENT', 'a user cannot be their own parent');
      if (isActiveLink(state)) throw new DomainError('conflict', 'PARENT_LINK_EXISTS', `this parent link is already ${state!.status}`);
      const ids = { linkId, parentId, childId, at };
      if (!command.confirmed) return [{ type: 'ParentLinkRequested', data: { ...ids, requestedBy } }];
      if (requestedBy === parentId) throw new DomainError('forbidden', 'PARENT_CANNOT_DECIDE', 'a parent cannot confirm their own link');
      return [
        { type: 'ParentLinkRequested', data: { ...ids, requestedBy } },
        { type: 'ParentLinkConfirmed', data: { ...ids, decidedBy: requestedBy } },
      ];
    }
    case 'ConfirmParentLink':
      return [{ type: 'ParentLinkConfirmed', data: { ...decider(existing(state), command.decidedBy), decidedBy: command.decidedBy, at } }];
    case 'RejectParentLink':
      return [{ type: 'ParentLinkRejected', data: { ...decider(existing(state), command.decidedBy), decidedBy: command.decidedBy, at } }];
    case 'RevokeParentLink': {
      const link = existing(state);
      if (!isActiveLink(link)) throw new DomainError('conflict', 'PARENT_LINK_NOT_ACTIVE', `the link is already ${link.status}`);
      return [{ type: 'ParentLinkRevoked', data: { linkId: link.linkId, parentId: link.parentId, childId: link.childId, revokedBy: command.revokedBy, at } }];
    }
  }
}

export const parentLinkDecider: Decider<ParentLinkCommand, ParentLinkEvent, ParentLinkState | null> = {
  initialState: () => null,
  evolve: evolveParentLink,
  decide: decideParentLink,
};
