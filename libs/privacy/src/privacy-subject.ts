/**
 * A person's privacy state: pure rules over the privacy events of their user
 * stream (the account's events there are ignored).
 *
 * Consents per purpose. Marketing needs a consent (none until given);
 * analytics and profiling are on by default (the school's legitimate
 * interest) and stop when the consent is withdrawn. Profiling has one switch,
 * whatever turned it: an approved objection, or the profiling consent
 * withdrawn, both emit ProfilingObjected; giving the profiling consent again
 * (or lifting the objection) emits ProfilingObjectionWithdrawn. The last of
 * the two says what holds.
 *
 * Restriction of processing: by an approved request, until the DPO lifts it.
 * A legal hold and a cancelled account restrict too (the flags read model
 * combines them). A legal hold defers erasure; a cancelled account is
 * shredded when its hold period ends.
 */
import { DomainError } from '@learnstream/domain';
import { SUBJECT_ERASED } from '@learnstream/projections/headless';
import type { ConsentPurpose, PrivacySubjectEvent } from './privacy.events';

export interface ConsentState {
  given: boolean;
  at: string;
  by: string;
  onBehalf: boolean;
}

export interface SubjectState {
  consents: Partial<Record<ConsentPurpose, ConsentState>>;
  restricted: boolean;
  profilingObjected: boolean;
  hold: { holdId: string; until: string | null; since: string } | null;
  cancelled: { at: string; shredAfter: string } | null;
  erased: boolean;
}

export const initialSubject = (): SubjectState => ({ consents: {}, restricted: false, profilingObjected: false, hold: null, cancelled: null, erased: false });

/** A purpose's default when no consent was given or withdrawn. */
export const CONSENT_DEFAULTS: Record<ConsentPurpose, boolean> = { marketing: false, analytics: true, profiling: true };

export function consentHolds(state: SubjectState, purpose: ConsentPurpose): boolean {
  if (purpose === 'profiling') return !state.profilingObjected;
  return state.consents[purpose]?.given ?? CONSENT_DEFAULTS[purpose];
}

export function evolveSubject(state: SubjectState, event: { type: string; data: unknown }): SubjectState {
  const e = event as PrivacySubjectEvent;
  switch (e.type) {
    case 'ConsentGiven':
    case 'ConsentWithdrawn': {
      const { purpose, at, by, onBehalf } = e.data;
      return { ...state, consents: { ...state.consents, [purpose]: { given: e.type === 'ConsentGiven', at, by, onBehalf } } };
    }
    case 'ProcessingRestricted':
      return { ...state, restricted: true };
    case 'ProcessingRestrictionLifted':
      return { ...state, restricted: false };
    case 'ProfilingObjected':
      return { ...state, profilingObjected: true };
    case 'ProfilingObjectionWithdrawn':
      return { ...state, profilingObjected: false };
    case 'LegalHoldPlaced':
      return { ...state, hold: { holdId: e.data.holdId, until: e.data.until, since: e.data.at } };
    case 'LegalHoldLifted':
      return { ...state, hold: null };
    case 'AccountCancelled':
      return { ...state, cancelled: { at: e.data.at, shredAfter: e.data.shredAfter } };
    case SUBJECT_ERASED:
      return { ...state, erased: true };
    default:
      return state;
  }
}

export type SubjectCommand =
  | { type: 'GiveConsent'; userId: string; purpose: ConsentPurpose; by: string; onBehalf: boolean; now: Date }
  | { type: 'WithdrawConsent'; userId: string; purpose: ConsentPurpose; by: string; onBehalf: boolean; now: Date }
  | { type: 'Restrict'; userId: string; requestId: string | null; by: string | null; now: Date }
  | { type: 'LiftRestriction'; userId: string; by: string; now: Date }
  | { type: 'ObjectToProfiling'; userId: string; requestId: string | null; now: Date }
  | { type: 'WithdrawObjection'; userId: string; now: Date }
  | { type: 'PlaceLegalHold'; userId: string; holdId: string; by: string; reason: string; until: string | null; now: Date }
  | { type: 'LiftLegalHold'; userId: string; by: string | null; expired: boolean; now: Date }
  | { type: 'CancelAccount'; userId: string; by: string; holdYears: number; now: Date };

const erasedError = () => new DomainError('conflict', 'SUBJECT_ERASED', 'this person has been erased');

/** The moment `years` calendar years after `from` (UTC). */
export function yearsAfter(from: Date, years: number): Date {
  const d = new Date(from.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

/** Events the command leads to; none when it changes nothing (giving a consent already given). */
export function decideSubject(command: SubjectCommand, state: SubjectState): PrivacySubjectEvent[] {
  if (state.erased) throw erasedError();
  const at = command.now.toISOString();
  const { userId } = command;
  switch (command.type) {
    case 'GiveConsent':
    case 'WithdrawConsent': {
      const give = command.type === 'GiveConsent';
      const current = state.consents[command.purpose];
      if (current && current.given === give && consentHolds(state, command.purpose) === give) return [];
      const consent = { userId, purpose: command.purpose, by: command.by, onBehalf: command.onBehalf, at };
      const events: PrivacySubjectEvent[] = [give ? { type: 'ConsentGiven', data: consent } : { type: 'ConsentWithdrawn', data: consent }];
      if (command.purpose === 'profiling' && state.profilingObjected === give) {
        events.push(
          give
            ? { type: 'ProfilingObjectionWithdrawn', data: { userId, basis: 'consent_given', at } }
            : { type: 'ProfilingObjected', data: { userId, basis: 'consent_withdrawn', requestId: null, at } },
        );
      }
      return events;
    }
    case 'Restrict':
      if (state.restricted) return [];
      return [{ type: 'ProcessingRestricted', data: { userId, requestId: command.requestId, by: command.by, at } }];
    case 'LiftRestriction':
      if (!state.restricted) throw new DomainError('conflict', 'NOT_RESTRICTED', 'processing of this person’s data is not restricted (a legal hold or a cancelled account restricts until they end)');
      return [{ type: 'ProcessingRestrictionLifted', data: { userId, by: command.by, at } }];
    case 'ObjectToProfiling':
      if (state.profilingObjected) return [];
      return [{ type: 'ProfilingObjected', data: { userId, basis: 'objection', requestId: command.requestId, at } }];
    case 'WithdrawObjection':
      if (!state.profilingObjected) throw new DomainError('conflict', 'NOT_OBJECTED', 'this person has no objection to profiling in force');
      return [{ type: 'ProfilingObjectionWithdrawn', data: { userId, basis: 'objection', at } }];
    case 'PlaceLegalHold':
      if (state.hold) throw new DomainError('conflict', 'LEGAL_HOLD_EXISTS', 'a legal hold is already in place: lift it first to change it');
      if (typeof command.reason !== 'string' || command.reason.trim() === '' || command.reason.length > 2000) {
        throw new DomainError('invalid', 'REASON_REQUIRED', 'a legal hold needs a reason (1 to 2000 characters)');
      }
      if (command.until !== null && !(Date.parse(command.until) > command.now.getTime())) {
        throw new DomainError('invalid', 'VALIDATION_FAILED', 'until must be a moment in the future, or absent for a hold without end');
      }
      return [{ type: 'LegalHoldPlaced', data: { userId, holdId: command.holdId, by: command.by, reason: command.reason, until: command.until, at } }];
    case 'LiftLegalHold':
      if (!state.hold) throw new DomainError('not_found', 'NO_LEGAL_HOLD', 'there is no legal hold on this person');
      return [{ type: 'LegalHoldLifted', data: { userId, holdId: state.hold.holdId, by: command.by, expired: command.expired, at } }];
    case 'CancelAccount':
      if (state.cancelled) throw new DomainError('conflict', 'ACCOUNT_ALREADY_CANCELLED', 'the account is already cancelled');
      return [{ type: 'AccountCancelled', data: { userId, by: command.by, shredAfter: yearsAfter(command.now, command.holdYears).toISOString(), at } }];
  }
}

/** Restricted for any reason: a request, a legal hold, a cancelled account. */
export function restrictionReasons(state: SubjectState): ('request' | 'legal_hold' | 'cancelled')[] {
  return [...(state.restricted ? (['request'] as const) : []), ...(state.hold ? (['legal_hold'] as const) : []), ...(state.cancelled ? (['cancelled'] as const) : [])];
}
