/**
 * Preloaded into ADL's console runner (`node -r …/suite-progress.cjs bin/console_runner.js`, cwd = the
 * suite) by xapi-conformance.mjs: prints a line `@test <title>` as each test starts, so that a run
 * that stops moving can say which test it stopped at. Changes nothing else in the suite.
 */
const { join } = require('node:path');
const { testRunner: TestRunner } = require(join(process.cwd(), 'bin/testRunner.js'));

const start = TestRunner.prototype.start;
TestRunner.prototype.start = function startWithProgress(...args) {
  this.on('message', (message) => {
    if (message && message.action === 'suite start') console.log(`@suite ${String(message.payload).replace(/\s+/g, ' ')}`);
    if (message && message.action === 'test start') console.log(`@test ${String(message.payload).replace(/\s+/g, ' ')}`);
  });
  return start.apply(this, args);
};
