import { spec } from '../../domain/src/testing/given-when-then';
import { decideRequest, evolveRequest, initialRequest, type RequestCommand, type RequestState } from './privacy-request';
import { consentHolds, decideSubject, evolveSubject, initialSubject, restrictionReasons, type SubjectCommand, type SubjectState } from './privacy-subject';
import type { PrivacyRequestEvent, PrivacySubjectEvent } from './privacy.events';
import { retentionCutoff } from './retention-sweep';
import { rectificationProblems } from './rectification';
import { personalDataAccessEvents } from './access-audit';

const requests = spec<RequestCommand, PrivacyRequestEvent, RequestState>({ initialState: initialRequest, evolve: evolveRequest, decide: decideRequest });
const subjects = spec<SubjectCommand, PrivacySubjectEvent, SubjectState>({ initialState: initialSubject, evolve: evolveSubject, decide: decideSubject });

const requestId = '11111111-1111-4111-8111-111111111111';
const subjectId = '22222222-2222-4222-8222-222222222222';
const dpo = '33333333-3333-4333-8333-333333333333';
const parent = '44444444-4444-4444-8444-444444444444';
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();
const ids = { requestId, subjectId, type: 'erasure' as const, at };

const filed: PrivacyRequestEvent = {
  type: 'PrivacyRequestFiled',
  data: { ...ids, filedBy: subjectId, filedAs: 'self', details: { note: 'please forget me' }, dueAt: '2025-03-31T10:00:00.000Z' },
};
const approved: PrivacyRequestEvent = { type: 'PrivacyRequestApproved', data: { ...ids, by: dpo, reason: null } };

describe('a privacy request', () => {
  it('is filed with a deadline 30 days on', () => {
    requests.given().when({ type: 'File', requestId, subjectId, requestType: 'erasure', filedBy: subjectId, filedAs: 'self', details: { note: 'please forget me' }, now, deadlineDays: 30 }).then([filed]);
  });

  it('is approved, rejected (only with a reason) or withdrawn while pending; never twice', () => {
    requests.given(filed).when({ type: 'Approve', by: dpo, reason: null, now }).then([approved]);
    requests.given(filed).when({ type: 'Reject', by: dpo, reason: ' ', now }).thenFails('REASON_REQUIRED');
    requests.given(filed).when({ type: 'Reject', by: dpo, reason: 'we must keep the grades', now }).then([{ type: 'PrivacyRequestRejected', data: { ...ids, by: dpo, reason: 'we must keep the grades' } }]);
    requests.given(filed).when({ type: 'Withdraw', by: subjectId, now }).then([{ type: 'PrivacyRequestWithdrawn', data: { ...ids, by: subjectId } }]);
    requests.given(filed, approved).when({ type: 'Approve', by: dpo, reason: null, now }).thenFails('REQUEST_NOT_OPEN');
    requests.given(filed, approved).when({ type: 'Withdraw', by: subjectId, now }).thenFails('REQUEST_NOT_OPEN');
    requests.given().when({ type: 'Approve', by: dpo, reason: null, now }).thenFails('REQUEST_NOT_FOUND');
  });

  it('about the DPO themself is not theirs to decide', () => {
    requests.given(filed).when({ type: 'Approve', by: subjectId, reason: null, now }).thenFails('OWN_REQUEST');
  });

  it('an approved erasure is deferred by a legal hold, then completed', () => {
    const holdId = '55555555-5555-4555-8555-555555555555';
    const deferred: PrivacyRequestEvent = { type: 'ErasureDeferred', data: { ...ids, holdId } };
    requests.given(filed, approved).when({ type: 'Defer', holdId, now }).then([deferred]);
    requests.given(filed, approved, deferred).when({ type: 'Complete', outcome: 'erased', now }).then([{ type: 'PrivacyRequestCompleted', data: { ...ids, outcome: 'erased' } }]);
    requests.given(filed).when({ type: 'Complete', outcome: 'erased', now }).thenFails('REQUEST_NOT_OPEN');
  });
});

describe('a person’s privacy state', () => {
  const userId = subjectId;

  it('consents: marketing needs one, analytics and profiling hold until withdrawn; giving twice changes nothing', () => {
    const s = initialSubject();
    expect([consentHolds(s, 'marketing'), consentHolds(s, 'analytics'), consentHolds(s, 'profiling')]).toEqual([false, true, true]);
    const given: PrivacySubjectEvent = { type: 'ConsentGiven', data: { userId, purpose: 'marketing', by: parent, onBehalf: true, at } };
    subjects.given().when({ type: 'GiveConsent', userId, purpose: 'marketing', by: parent, onBehalf: true, now }).then([given]);
    subjects.given(given).when({ type: 'GiveConsent', userId, purpose: 'marketing', by: parent, onBehalf: true, now }).then([]);
  });

  it('withdrawing the profiling consent objects to profiling; giving it back withdraws the objection', () => {
    const withdrawn = subjects.given().when({ type: 'WithdrawConsent', userId, purpose: 'profiling', by: userId, onBehalf: false, now }).events();
    expect(withdrawn.map((e) => e.type)).toEqual(['ConsentWithdrawn', 'ProfilingObjected']);
    const back = subjects.given(...withdrawn).when({ type: 'GiveConsent', userId, purpose: 'profiling', by: userId, onBehalf: false, now }).events();
    expect(back.map((e) => e.type)).toEqual(['ConsentGiven', 'ProfilingObjectionWithdrawn']);
  });

  it('an approved objection, then its withdrawal', () => {
    const objected: PrivacySubjectEvent = { type: 'ProfilingObjected', data: { userId, basis: 'objection', requestId, at } };
    subjects.given().when({ type: 'ObjectToProfiling', userId, requestId, now }).then([objected]);
    subjects.given(objected).when({ type: 'WithdrawObjection', userId, now }).then([{ type: 'ProfilingObjectionWithdrawn', data: { userId, basis: 'objection', at } }]);
    subjects.given().when({ type: 'WithdrawObjection', userId, now }).thenFails('NOT_OBJECTED');
  });

  it('restriction, legal hold and cancellation all restrict; the cancellation is shredded after the hold period', () => {
    const holdId = '66666666-6666-4666-8666-666666666666';
    const cancelled = subjects.given().when({ type: 'CancelAccount', userId, by: userId, holdYears: 5, now }).events();
    expect(cancelled).toEqual([{ type: 'AccountCancelled', data: { userId, by: userId, shredAfter: '2030-03-01T10:00:00.000Z', at } }]);
    const held = subjects.given(...cancelled).when({ type: 'PlaceLegalHold', userId, holdId, by: dpo, reason: 'litigation', until: null, now }).events();
    const state = [...cancelled, ...held].reduce(evolveSubject, initialSubject());
    expect(restrictionReasons(state)).toEqual(['legal_hold', 'cancelled']);
    subjects.given(...cancelled, ...held).when({ type: 'PlaceLegalHold', userId, holdId, by: dpo, reason: 'again', until: null, now }).thenFails('LEGAL_HOLD_EXISTS');
    subjects.given(...cancelled).when({ type: 'CancelAccount', userId, by: userId, holdYears: 5, now }).thenFails('ACCOUNT_ALREADY_CANCELLED');
    subjects.given().when({ type: 'LiftLegalHold', userId, by: dpo, expired: false, now }).thenFails('NO_LEGAL_HOLD');
    subjects.given().when({ type: 'PlaceLegalHold', userId, holdId, by: dpo, reason: '', until: null, now }).thenFails('REASON_REQUIRED');
  });

  it('nothing changes for an erased person', () => {
    const erased = { type: 'SubjectErased', data: { userId, requestId, anonymousId: dpo, at } } as PrivacySubjectEvent;
    subjects.given(erased).when({ type: 'GiveConsent', userId, purpose: 'analytics', by: userId, onBehalf: false, now }).thenFails('SUBJECT_ERASED');
  });
});

describe('retention and rectification rules', () => {
  it('request keys of months before the cutoff go', () => {
    expect(retentionCutoff(new Date('2025-06-15T00:00:00Z'), 12)).toBe('2024-06');
    expect(retentionCutoff(new Date('2025-01-31T23:59:59Z'), 1)).toBe('2024-12');
  });

  it('only profile fields with valid values can be rectified', () => {
    expect(rectificationProblems({ email: 'ann@example.com', displayName: 'Ann' }, now)).toEqual([]);
    expect(rectificationProblems({ email: 'nope', password: 'x', displayName: null }, now).map((p) => p.field)).toEqual(['changes.email', 'changes.password', 'changes.displayName']);
    expect(rectificationProblems({}, now)).toHaveLength(1);
  });

  it('an access is recorded per person read, never for the reader, and under impersonation as support', () => {
    const events = personalDataAccessEvents({ userId: dpo, realActorId: null, request: null }, { subjectIds: [subjectId, dpo, subjectId, null], what: 'profile', purpose: 'privacy' });
    expect(events.map((e) => e.data)).toEqual([{ readerId: dpo, subjectIds: [subjectId], what: 'profile', purpose: 'privacy', courseId: null }]);
    expect(events[0].envelope).toMatchObject({ relatedUserId: subjectId, action: 'accessed', crud: 'r' });
    expect(personalDataAccessEvents({ userId: dpo, realActorId: parent, request: null }, { subjectIds: [subjectId], what: 'profile', purpose: 'privacy' })[0].data.purpose).toBe('support');
    expect(personalDataAccessEvents({ userId: dpo, realActorId: null, request: null }, { subjectIds: [dpo], what: 'profile', purpose: 'privacy' })).toEqual([]);
  });
});
