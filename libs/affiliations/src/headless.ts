/**
 * '@learnstream/affiliations/headless': schools, memberships, parent links and transfers without HTTP (events,
 * deciders, the inline read models): what the CLI's import loads. The barrel adds the module, commands, queries, bodies.
 */
export * from './affiliation.events';
export { loadSchool } from './load-school';
export {
  activeMemberships,
  decideChangeClass,
  decideJoinSchool,
  decideAddMember,
  decideLeaveSchool,
  evolveMembership,
  initialMembershipState,
  type JoinSchool,
  type Membership,
  type MembershipState,
} from './membership';
export { envelopeFieldsOf, toNewEvents } from './new-events';
export { decideParentLink, evolveParentLink, type ParentLinkState, type ParentLinkStatus } from './parent-link';
export { decideParentalConsent, evolveParentalConsent, initialParentalConsentState, type ParentalConsentState } from './parental-consent';
export { MembershipsProjection } from './projections/memberships.projection';
export { ParentalConsentProjection } from './projections/parental-consent.projection';
export { ParentLinksProjection } from './projections/parent-links.projection';
export { SchoolsProjection } from './projections/schools.projection';
export { TransfersProjection } from './projections/transfers.projection';
export { decideTransfer, evolveTransfer, type TransferState, type TransferStatus } from './transfer';
export { decideSchool, evolveSchool, type ClassState, type SchoolState } from './school';
export { parentLinkId, parentLinkStream, schoolStream, transferStream, userStream } from './streams';
