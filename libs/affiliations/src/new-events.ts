/**
 * From decided events to events for the log: personal fields sealed, and the
 * envelope of a Moodle log row (verb, object, tenant, person affected). The
 * identity feature uses it too, for the membership events it appends when it
 * opens an affiliated account.
 */
import { envelopeFor, type EventActor, type EnvelopeFields } from '@learnstream/access';
import type { NewEvent } from '@learnstream/event-store';
import { sealPersonalFields, type AffiliationEvent } from './affiliation.events';

/** `childSchoolId`: the tenant of a parent-link or consent event (the child's school), if any. */
export function envelopeFieldsOf(event: AffiliationEvent, childSchoolId: string | null = null): EnvelopeFields {
  const e = event;
  switch (e.type) {
    case 'SchoolCreated':
      return { action: 'created', crud: 'c', object: { type: 'school', id: e.data.schoolId }, schoolId: e.data.schoolId };
    case 'SchoolUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'school', id: e.data.schoolId }, schoolId: e.data.schoolId };
    case 'SchoolArchived':
      return { action: 'archived', crud: 'd', object: { type: 'school', id: e.data.schoolId }, schoolId: e.data.schoolId };
    case 'ClassCreated':
      return { action: 'created', crud: 'c', object: { type: 'school_class', id: e.data.classId }, schoolId: e.data.schoolId };
    case 'ClassUpdated':
      return { action: 'updated', crud: 'u', object: { type: 'school_class', id: e.data.classId }, schoolId: e.data.schoolId };
    case 'ClassArchived':
      return { action: 'archived', crud: 'd', object: { type: 'school_class', id: e.data.classId }, schoolId: e.data.schoolId };
    case 'SchoolJoined':
      return { action: 'joined', crud: 'c', object: { type: 'membership', id: e.data.membershipId }, schoolId: e.data.schoolId, relatedUserId: e.data.userId };
    case 'ClassChanged':
      return { action: 'updated', crud: 'u', object: { type: 'membership', id: e.data.membershipId }, schoolId: e.data.schoolId, relatedUserId: e.data.userId };
    case 'SchoolLeft':
      return { action: 'left', crud: 'd', object: { type: 'membership', id: e.data.membershipId }, schoolId: e.data.schoolId, relatedUserId: e.data.userId };
    case 'ParentLinkRequested':
      return { action: 'requested', crud: 'c', object: { type: 'parent_link', id: e.data.linkId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'ParentLinkConfirmed':
      return { action: 'confirmed', crud: 'u', object: { type: 'parent_link', id: e.data.linkId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'ParentLinkRejected':
      return { action: 'rejected', crud: 'u', object: { type: 'parent_link', id: e.data.linkId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'ParentLinkRevoked':
      return { action: 'revoked', crud: 'd', object: { type: 'parent_link', id: e.data.linkId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'ParentalConsentGiven':
      return { action: 'consent_given', crud: 'c', object: { type: 'user', id: e.data.childId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'ParentalConsentWithdrawn':
      return { action: 'consent_withdrawn', crud: 'd', object: { type: 'user', id: e.data.childId }, schoolId: childSchoolId, relatedUserId: e.data.childId };
    case 'TransferRequested':
      return { action: 'requested', crud: 'c', object: { type: 'transfer', id: e.data.transferId }, schoolId: e.data.toSchoolId, relatedUserId: e.data.userId };
    case 'TransferAccepted':
      return { action: 'accepted', crud: 'u', object: { type: 'transfer', id: e.data.transferId }, schoolId: e.data.toSchoolId, relatedUserId: e.data.userId };
    case 'TransferDeclined':
      return { action: 'declined', crud: 'u', object: { type: 'transfer', id: e.data.transferId }, schoolId: e.data.toSchoolId, relatedUserId: e.data.userId };
    case 'TransferCancelled':
      return { action: 'cancelled', crud: 'd', object: { type: 'transfer', id: e.data.transferId }, schoolId: e.data.toSchoolId, relatedUserId: e.data.userId };
  }
}

/** The log events of decided events, caused by `actor` (null: the system). */
export function toNewEvents(actor: EventActor | null, events: AffiliationEvent[], childSchoolId: string | null = null): NewEvent[] {
  return events.map((event) => ({ type: event.type, data: sealPersonalFields(event), envelope: envelopeFor(actor, envelopeFieldsOf(event, childSchoolId)) }));
}
