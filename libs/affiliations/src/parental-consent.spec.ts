import { randomUUID } from 'node:crypto';
import { spec } from '../../domain/src/testing/given-when-then';
import type { ParentalConsentEvent } from './affiliation.events';
import { evolveParentalConsent, initialParentalConsentState, parentalConsentDecider } from './parental-consent';

const childId = randomUUID();
const mother = randomUUID();
const father = randomUUID();
const t1 = '2025-01-01T00:00:00.000Z';
const t2 = '2025-02-01T00:00:00.000Z';
const t3 = '2025-03-01T00:00:00.000Z';

const given = spec(parentalConsentDecider).given;
const motherGave: ParentalConsentEvent = { type: 'ParentalConsentGiven', data: { childId, parentId: mother, purposes: ['platform_use'], inForceSince: t1, at: t1 } };
const fatherGave: ParentalConsentEvent = { type: 'ParentalConsentGiven', data: { childId, parentId: father, purposes: ['analytics', 'platform_use'], inForceSince: t1, at: t2 } };

describe('parental consent decider', () => {
  it('a parent gives consent for purposes (sorted); it is in force from then', () =>
    given().when({ type: 'GiveParentalConsent', childId, parentId: father, purposes: ['platform_use', 'analytics'], at: t2 }).then([
      { type: 'ParentalConsentGiven', data: { childId, parentId: father, purposes: ['analytics', 'platform_use'], inForceSince: t2, at: t2 } },
    ]));
  it('with another parent’s consent already in force, it is in force since the earlier one', () =>
    given(motherGave).when({ type: 'GiveParentalConsent', childId, parentId: father, purposes: ['platform_use', 'analytics'], at: t2 }).then([fatherGave]));
  it('giving the same purposes again records nothing; other purposes replace them, in force since first given', () => {
    given(motherGave).when({ type: 'GiveParentalConsent', childId, parentId: mother, purposes: ['platform_use'], at: t3 }).then([]);
    given(motherGave).when({ type: 'GiveParentalConsent', childId, parentId: mother, purposes: ['analytics'], at: t3 }).then([
      { type: 'ParentalConsentGiven', data: { childId, parentId: mother, purposes: ['analytics'], inForceSince: t1, at: t3 } },
    ]);
  });
  it('refuses empty, repeated or malformed purposes', () => {
    for (const purposes of [[], ['a'], ['analytics', 'analytics'], ['Analytics'], Array.from({ length: 21 }, (_, i) => `p${i}x`)]) {
      given().when({ type: 'GiveParentalConsent', childId, parentId: mother, purposes, at: t1 }).thenFails('INVALID_PURPOSES');
    }
  });
  it('no one consents as their own parent', () => given().when({ type: 'GiveParentalConsent', childId, parentId: childId, purposes: ['platform_use'], at: t1 }).thenFails('OWN_PARENT'));
  it('withdrawing leaves the other parent’s consent in force, or none', () => {
    given(motherGave, fatherGave).when({ type: 'WithdrawParentalConsent', childId, parentId: mother, at: t3 }).then([
      { type: 'ParentalConsentWithdrawn', data: { childId, parentId: mother, inForceSince: t2, at: t3 } },
    ]);
    given(motherGave).when({ type: 'WithdrawParentalConsent', childId, parentId: mother, at: t3 }).then([
      { type: 'ParentalConsentWithdrawn', data: { childId, parentId: mother, inForceSince: null, at: t3 } },
    ]);
  });
  it('cannot withdraw a consent that was not given', () => given(motherGave).when({ type: 'WithdrawParentalConsent', childId, parentId: father, at: t3 }).thenFails('NO_PARENTAL_CONSENT'));
  it('an erased consent (purposes read back as null) is still in force, and giving again records it', () => {
    const erased = { ...motherGave, data: { ...motherGave.data, purposes: null as unknown as string[] } };
    const state = evolveParentalConsent(initialParentalConsentState(), erased);
    expect(state.byParent[mother]).toEqual({ purposes: null, givenAt: t1 });
    expect(given(erased).when({ type: 'GiveParentalConsent', childId, parentId: mother, purposes: ['platform_use'], at: t3 }).events()).toHaveLength(1);
  });
});
