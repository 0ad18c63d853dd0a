export * from './data-source';
export * from './database-errors';
export * from './embedded-postgres';
export { migrations } from './migrations';
export * from './key-store-database';
export * from './typed-query';
export * from './insert-rows';
export * from './pg-listener';
