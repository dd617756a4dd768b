/**
 * The fault suite (`npm run faults`): each scenario starts a local control plane of its own and the
 * apps, injects a fault (an API server killed or paused, a leader paused, ...), asserts its
 * invariant and prints its figures (recorded in RELIABILITY.md). Scenarios run one at a time.
 */
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'faults',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/src/**/*.faults.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFilesAfterEnv: ['<rootDir>/control-plane/src/testing/fault-timeout.cjs'],
  maxWorkers: 1,
};
