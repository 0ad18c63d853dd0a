/**
 * A data-subject request: pure rules over its stream `privacy_request-<id>`.
 *
 *   pending ──approve──▶ approved ──complete──▶ completed
 *      │                    └──defer (legal hold)──▶ deferred ──complete──▶ completed
 *      ├──reject (DPO, with a reason)──▶ rejected
 *      └──withdraw (the requester or the subject)──▶ withdrawn
 *
 * The deadline (`dueAt`) is fixed when the request is filed; a request still
 * open after it is overdue (views compute that against the clock).
 */
import { DomainError } from '@learnstream/domain';
import type { FiledAs, PrivacyRequestEvent, RequestDetails, RequestOutcome, RequestType } from './privacy.events';

export type RequestStatus = 'pending' | 'approved' | 'deferred' | 'completed' | 'rejected' | 'withdrawn';

export interface RequestState {
  exists: boolean;
  requestId: string | null;
  subjectId: string | null;
  type: RequestType | null;
  status: RequestStatus | null;
  filedBy: string | null;
  filedAs: FiledAs | null;
  /** Decrypted details; null once the subject is erased. */
  details: RequestDetails | null;
  dueAt: string | null;
  holdId: string | null;
}

export const initialRequest = (): RequestState => ({
  exists: false,
  requestId: null,
  subjectId: null,
  type: null,
  status: null,
  filedBy: null,
  filedAs: null,
  details: null,
  dueAt: null,
  holdId: null,
});

export function evolveRequest(state: RequestState, event: { type: string; data: unknown }): RequestState {
  const e = event as PrivacyRequestEvent;
  switch (e.type) {
    case 'PrivacyRequestFiled':
      return {
        exists: true,
        requestId: e.data.requestId,
        subjectId: e.data.subjectId,
        type: e.data.type,
        status: 'pending',
        filedBy: e.data.filedBy,
        filedAs: e.data.filedAs,
        details: (e.data.details as RequestDetails | null) ?? null,
        dueAt: e.data.dueAt,
        holdId: null,
      };
    case 'PrivacyRequestApproved':
      return { ...state, status: 'approved' };
    case 'PrivacyRequestRejected':
      return { ...state, status: 'rejected' };
    case 'PrivacyRequestWithdrawn':
      return { ...state, status: 'withdrawn' };
    case 'ErasureDeferred':
      return { ...state, status: 'deferred', holdId: e.data.holdId };
    case 'PrivacyRequestCompleted':
      return { ...state, status: 'completed' };
    default:
      return state;
  }
}

export type RequestCommand =
  | {
      type: 'File';
      requestId: string;
      subjectId: string;
      requestType: RequestType;
      filedBy: string | null;
      filedAs: FiledAs;
      details: RequestDetails | null;
      now: Date;
      deadlineDays: number;
    }
  | { type: 'Approve'; by: string | null; reason: string | null; now: Date }
  | { type: 'Reject'; by: string; reason: string; now: Date }
  | { type: 'Withdraw'; by: string; now: Date }
  | { type: 'Defer'; holdId: string; now: Date }
  | { type: 'Complete'; outcome: RequestOutcome; now: Date };

export const requestNotFound = () => new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');

const notOpen = (status: RequestStatus | null) => new DomainError('conflict', 'REQUEST_NOT_OPEN', `the request is ${status}: it can no longer change that way`);

const REASON_MAX = 2000;
const validReason = (reason: unknown): reason is string => typeof reason === 'string' && reason.trim().length > 0 && reason.length <= REASON_MAX;

/** Events the command leads to (unwrapped: the handler seals details and reasons with the subject's key). */
export function decideRequest(command: RequestCommand, state: RequestState): PrivacyRequestEvent[] {
  const at = command.now.toISOString();
  if (command.type === 'File') {
    if (state.exists) throw new DomainError('conflict', 'REQUEST_EXISTS', 'this request was filed already');
    const dueAt = new Date(command.now.getTime() + command.deadlineDays * 86_400_000).toISOString();
    return [
      {
        type: 'PrivacyRequestFiled',
        data: {
          requestId: command.requestId,
          subjectId: command.subjectId,
          type: command.requestType,
          filedBy: command.filedBy,
          filedAs: command.filedAs,
          details: command.details,
          dueAt,
          at,
        },
      },
    ];
  }
  if (!state.exists) throw requestNotFound();
  const ids = { requestId: state.requestId!, subjectId: state.subjectId!, type: state.type!, at };
  switch (command.type) {
    case 'Approve':
      if (state.status !== 'pending') throw notOpen(state.status);
      if (command.by !== null && command.by === state.subjectId) throw new DomainError('forbidden', 'OWN_REQUEST', 'a privacy officer cannot decide a request about themself');
      if (command.reason !== null && !validReason(command.reason)) throw new DomainError('invalid', 'VALIDATION_FAILED', `the reason is a text of 1 to ${REASON_MAX} characters`);
      return [{ type: 'PrivacyRequestApproved', data: { ...ids, by: command.by, reason: command.reason } }];
    case 'Reject':
      if (state.status !== 'pending') throw notOpen(state.status);
      if (command.by === state.subjectId) throw new DomainError('forbidden', 'OWN_REQUEST', 'a privacy officer cannot decide a request about themself');
      if (!validReason(command.reason)) throw new DomainError('invalid', 'REASON_REQUIRED', 'a rejection needs a reason (the subject is told why)');
      return [{ type: 'PrivacyRequestRejected', data: { ...ids, by: command.by, reason: command.reason } }];
    case 'Withdraw':
      if (state.status !== 'pending') throw notOpen(state.status);
      return [{ type: 'PrivacyRequestWithdrawn', data: { ...ids, by: command.by } }];
    case 'Defer':
      if (state.status !== 'approved' || state.type !== 'erasure') throw notOpen(state.status);
      return [{ type: 'ErasureDeferred', data: { ...ids, holdId: command.holdId } }];
    case 'Complete':
      if (state.status !== 'approved' && state.status !== 'deferred') throw notOpen(state.status);
      return [{ type: 'PrivacyRequestCompleted', data: { ...ids, outcome: command.outcome } }];
  }
}

/** Open: still to be decided or carried out (what deadlines apply to). */
export const isOpen = (status: RequestStatus | null) => status === 'pending' || status === 'approved' || status === 'deferred';
