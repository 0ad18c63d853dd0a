/**
 * Parental consent for a child (a minor), on the child's user stream so that
 * the child's own history shows it. Each confirmed parent gives or withdraws
 * their own consent; giving again replaces the purposes. Who may (a confirmed
 * parent) is the access policy's to say, not this decider's.
 */
import { DomainError, type Decider } from '@learnstream/domain';
import type { ParentalConsentEvent } from './affiliation.events';
import { isPurposes, PURPOSES_MAX } from './values';

export interface ParentalConsentState {
  /** Consents in force, by parent. `purposes` is null once erased. */
  byParent: Record<string, { purposes: string[] | null; givenAt: string }>;
}

export const initialParentalConsentState = (): ParentalConsentState => ({ byParent: {} });

export type ParentalConsentCommand =
  | { type: 'GiveParentalConsent'; childId: string; parentId: string; purposes: string[]; at: string }
  | { type: 'WithdrawParentalConsent'; childId: string; parentId: string; at: string };

export function evolveParentalConsent(state: ParentalConsentState, event: { type: string; data: unknown }): ParentalConsentState {
  const e = event as ParentalConsentEvent;
  switch (e.type) {
    case 'ParentalConsentGiven':
      // Changing the purposes keeps the consent in force since it was first given.
      return { byParent: { ...state.byParent, [e.data.parentId]: { purposes: e.data.purposes ?? null, givenAt: state.byParent[e.data.parentId]?.givenAt ?? e.data.at } } };
    case 'ParentalConsentWithdrawn': {
      const { [e.data.parentId]: _withdrawn, ...rest } = state.byParent;
      return { byParent: rest };
    }
    default:
      return state;
  }
}

const earliest = (times: string[]) => (times.length ? times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null);

export function decideParentalConsent(command: ParentalConsentCommand, state: ParentalConsentState): ParentalConsentEvent[] {
  const { childId, parentId, at } = command;
  const others = Object.entries(state.byParent).filter(([p]) => p !== parentId).map(([, c]) => c.givenAt);
  switch (command.type) {
    case 'GiveParentalConsent': {
      if (parentId === childId) throw new DomainError('invalid', 'OWN_PARENT', 'a user cannot be their own parent');
      const purposes = Array.isArray(command.purposes) ? [...command.purposes].sort() : command.purposes;
      if (!isPurposes(purposes)) throw new DomainError('invalid', 'INVALID_PURPOSES', `purposes are 1 to ${PURPOSES_MAX} distinct lower-case words, e.g. ["platform_use"]`);
      const current = state.byParent[parentId];
      if (current?.purposes && current.purposes.join(',') === purposes.join(',')) return [];
      return [{ type: 'ParentalConsentGiven', data: { childId, parentId, purposes, inForceSince: earliest([...others, current?.givenAt ?? at])!, at } }];
    }
    case 'WithdrawParentalConsent':
      if (!state.byParent[parentId]) throw new DomainError('not_found', 'NO_PARENTAL_CONSENT', 'this parent has no consent in force for this child');
      return [{ type: 'ParentalConsentWithdrawn', data: { childId, parentId, inForceSince: earliest(others), at } }];
  }
}

export const parentalConsentDecider: Decider<ParentalConsentCommand, ParentalConsentEvent, ParentalConsentState> = {
  initialState: initialParentalConsentState,
  evolve: evolveParentalConsent,
  decide: decideParentalConsent,
};
