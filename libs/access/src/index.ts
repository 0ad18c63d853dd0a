export * from './access-policy';
export * from './access.module';
export * from './actor';
export * from './decorators';
export * from './envelope';
export * from './tenant-db';
export * from './session-revocations';
export * from './historic-time';
