/**
 * Affiliations: schools (tenants) and classes, memberships, parent links and
 * parental consent. The public contract: the events, the pure rules other
 * features reuse (the identity feature opens accounts already affiliated with
 * loadSchool + decideJoinSchool + toNewEvents, in one append to the new user
 * stream), the projections and the Nest module.
 */
export * from './headless';
export { AffiliationsModule } from './affiliations.module';
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
