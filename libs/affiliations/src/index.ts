/**
 * Affiliations: schools (tenants) and classes, memberships, parent links and
 * parental consent. The public contract: the events, the pure rules other
 * features reuse (the identity feature opens accounts already affiliated with
 * loadSchool + decideJoinSchool + toNewEvents, in one append to the new user
 * stream), the projections and the Nest module.
 */
export * from './affiliation.events';
export { AffiliationsModule } from './affiliations.module';
export { loadSchool } from './load-school';
export {
  activeMemberships,
  decideChangeClass,
  decideJoinSchool,
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
export { decideSchool, evolveSchool, type ClassState, type SchoolState } from './school';
export { parentLinkId, parentLinkStream, schoolStream, userStream } from './streams';
