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
// The commands, queries, bodies and views other transports (GraphQL) use.
export * from './commands/add-member.command';
export * from './commands/archive-class.command';
export * from './commands/archive-school.command';
export * from './commands/change-member-class.command';
export * from './commands/create-class.command';
export * from './commands/create-school.command';
export * from './commands/decide-parent-link.command';
export * from './commands/end-membership.command';
export * from './commands/give-parental-consent.command';
export * from './commands/request-parent-link.command';
export * from './commands/revoke-parent-link.command';
export * from './commands/update-class.command';
export * from './commands/update-school.command';
export * from './commands/withdraw-parental-consent.command';
export * from './commands/transfer.commands';
export * from './queries/list-transfers.query';
export * from './queries/get-affiliations.query';
export * from './queries/get-school.query';
export * from './queries/list-classes.query';
export * from './queries/list-members.query';
export * from './queries/list-parent-links.query';
export * from './queries/list-schools.query';
export * from './http/affiliations.dto';
export * from './views';
// The schools read model as other features (the reports) read it.
export * from './queries/read-models';
