import { randomUUID } from 'node:crypto';
import { spec } from '../../domain/src/testing/given-when-then';
import type { ParentLinkEvent } from './affiliation.events';
import { parentLinkDecider } from './parent-link';
import { parentLinkId } from './streams';

const parentId = randomUUID();
const childId = randomUUID();
const admin = randomUUID();
const linkId = parentLinkId(parentId, childId);
const at = '2025-03-01T10:00:00.000Z';
const ids = { linkId, parentId, childId, at };

const requested: ParentLinkEvent = { type: 'ParentLinkRequested', data: { ...ids, requestedBy: parentId } };
const confirmed: ParentLinkEvent = { type: 'ParentLinkConfirmed', data: { ...ids, decidedBy: admin } };
const rejected: ParentLinkEvent = { type: 'ParentLinkRejected', data: { ...ids, decidedBy: admin } };
const revoked: ParentLinkEvent = { type: 'ParentLinkRevoked', data: { ...ids, revokedBy: parentId } };

const given = spec(parentLinkDecider).given;
const request = { type: 'RequestParentLink' as const, ...ids, requestedBy: parentId, confirmed: false };

describe('parent link decider', () => {
  it('derives one link id per (parent, child) pair, in that order', () => {
    expect(parentLinkId(parentId, childId)).toBe(linkId);
    expect(parentLinkId(parentId.toUpperCase(), childId)).toBe(linkId);
    expect(parentLinkId(childId, parentId)).not.toBe(linkId);
  });

  describe('RequestParentLink', () => {
    it('a parent asks for a link', () => given().when(request).then([requested]));
    it('a school admin creates it confirmed at once', () =>
      given().when({ ...request, requestedBy: admin, confirmed: true }).then([
        { type: 'ParentLinkRequested', data: { ...ids, requestedBy: admin } },
        { type: 'ParentLinkConfirmed', data: { ...ids, decidedBy: admin } },
      ]));
    it('a parent cannot create their own link confirmed', () => given().when({ ...request, confirmed: true }).thenFails('PARENT_CANNOT_DECIDE'));
    it('no one is their own parent', () => given().when({ ...request, childId: parentId }).thenFails('OWN_PARENT'));
    it('refuses a second request while one is pending or confirmed', () => {
      given(requested).when(request).thenFails('PARENT_LINK_EXISTS');
      given(requested, confirmed).when(request).thenFails('PARENT_LINK_EXISTS');
    });
    it('may ask again after a rejection or a revocation', () => {
      given(requested, rejected).when(request).then([requested]);
      given(requested, confirmed, revoked).when(request).then([requested]);
    });
  });

  describe('ConfirmParentLink / RejectParentLink', () => {
    it('a pending link is confirmed or rejected by someone other than the parent', () => {
      given(requested).when({ type: 'ConfirmParentLink', linkId, decidedBy: admin, at }).then([confirmed]);
      given(requested).when({ type: 'RejectParentLink', linkId, decidedBy: admin, at }).then([rejected]);
    });
    it('the parent cannot decide', () => given(requested).when({ type: 'ConfirmParentLink', linkId, decidedBy: parentId, at }).thenFails('PARENT_CANNOT_DECIDE'));
    it('only a pending link can be decided', () => {
      given(requested, confirmed).when({ type: 'ConfirmParentLink', linkId, decidedBy: admin, at }).thenFails('PARENT_LINK_NOT_PENDING');
      given(requested, rejected).when({ type: 'RejectParentLink', linkId, decidedBy: admin, at }).thenFails('PARENT_LINK_NOT_PENDING');
    });
    it('a link that was never asked for is not found', () => given().when({ type: 'RejectParentLink', linkId, decidedBy: admin, at }).thenFails('PARENT_LINK_NOT_FOUND'));
  });

  describe('RevokeParentLink', () => {
    it('ends a confirmed link, or withdraws a pending request', () => {
      given(requested, confirmed).when({ type: 'RevokeParentLink', linkId, revokedBy: parentId, at }).then([revoked]);
      given(requested).when({ type: 'RevokeParentLink', linkId, revokedBy: parentId, at }).then([revoked]);
    });
    it('refuses a link that is not active, or unknown', () => {
      given(requested, rejected).when({ type: 'RevokeParentLink', linkId, revokedBy: admin, at }).thenFails('PARENT_LINK_NOT_ACTIVE');
      given(requested, confirmed, revoked).when({ type: 'RevokeParentLink', linkId, revokedBy: admin, at }).thenFails('PARENT_LINK_NOT_ACTIVE');
      given().when({ type: 'RevokeParentLink', linkId, revokedBy: admin, at }).thenFails('PARENT_LINK_NOT_FOUND');
    });
  });
});
