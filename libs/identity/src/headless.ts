/**
 * '@learnstream/identity/headless': accounts without HTTP (the events, the decider, the profile, the accounts read
 * model, the username index): what the CLI's import loads. The barrel adds sign-in, the module, commands and bodies.
 */
export * from './account';
export * from './account.events';
export * from './accounts.repository';
export * from './profile';
export * from './projections/accounts.projection';
export * from './username-index';
