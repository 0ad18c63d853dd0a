export * from './decider';
export * from './domain-error';
export * from './uuid-v5';
export * from './clock';
export * from './bounds';
export * from './checks';
