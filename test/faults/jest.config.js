/**
 * `npm run test:faults`: the fault tests (issue 3 item 10; RELIABILITY R1, R2, R3, R7, R8). They
 * start a private PostgreSQL and RabbitMQ on other loopback ports (test/faults/support), never the
 * shared ones, so they run alone (--runInBand) and are kept out of the main `jest` run.
 * @type {import('jest').Config}
 */
const root = require('../../jest.config.js');

module.exports = {
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  moduleFileExtensions: root.moduleFileExtensions,
  testRegex: '\\.fault-spec\\.ts$',
  transform: root.transform,
  moduleNameMapper: root.moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup/env.ts'],
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
  testTimeout: 10 * 60 * 1000,
  maxWorkers: 1,
};
