// Jest 30 + @swc/jest running the TypeScript sources as ES modules
// (NestJS 12 is ESM-only): run under NODE_OPTIONS=--experimental-vm-modules.
import { readFileSync } from 'node:fs';

const swc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));
delete swc.$schema;
swc.jsc.baseUrl = new URL('.', import.meta.url).pathname;
swc.module = { type: 'es6' };

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleNameMapper: {
    // @fastify/static (CommonJS) requires content-disposition 3, an ES module: Node 20.19+ loads it (require(esm)),
    // jest's loader does not; the tests give it the CommonJS build of the same API (2.x, which Express brought).
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
    // A library's part without HTTP (tsconfig.json and .swcrc name each one).
    '^@learnstream/([a-z-]+)/headless$': '<rootDir>/libs/$1/src/headless.ts',
    '^@learnstream/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
