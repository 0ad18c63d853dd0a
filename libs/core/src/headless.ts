/**
 * '@learnstream/core/headless': what a process without HTTP needs (the CLI's import): the pools, the event store, the
 * key store and cipher (CoreModule), the database it runs on, the logger, retries. The barrel adds the HTTP side
 * (Swagger decorators, Helmet, rate limits, validation pipes), which costs the CLI about a second of CPU to load.
 */
export * from './core.module';
export * from './database';
export * from './json-logger';
export * from './request-context';
export * from './process';
export * from './retry-on-conflict';
