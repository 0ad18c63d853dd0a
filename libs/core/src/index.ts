export * from './core.module';
export * from './database';
export * from './http-errors';
export * from './json-logger';
export * from './ops-token.guard';
export * from './request-context';
export * from './request-id.middleware';
export * from './process';
