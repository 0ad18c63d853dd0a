export * from './headless';
export * from './auth/auth.service';
export * from './identity.module';
export * from './passwords';
export * from './queries/get-account.query';
// The commands, queries and bodies other transports (GraphQL) send through the buses.
export * from './commands/manage-account.command';
export * from './commands/open-account.command';
export * from './commands/register-account.command';
export * from './commands/update-profile.command';
export * from './dto';
export * from './queries/get-me.query';
export * from './queries/list-impersonations.query';
// The accounts read model as other features (the reports) read it.
export * from './queries/read-models';
