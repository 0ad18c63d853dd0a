export * from './decider';
export * from './domain-error';
export * from './uuid-v5';
