export * from './data-source';
export * from './embedded-postgres';
export { migrations } from './migrations';
