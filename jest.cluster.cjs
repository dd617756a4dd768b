/**
 * Tests against a real API server: one local control plane (etcd + kube-apiserver on loopback)
 * is started for the whole run by the global setup and stopped by the global teardown. Jest runs
 * a project's global setup only when one of its tests is selected, so a run of unit tests alone
 * starts nothing.
 */
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'cluster',
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/control-plane', '<rootDir>/deploy'],
  testMatch: ['**/src/**/*.cluster.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/control-plane/src/testing/global-setup.cjs',
  globalTeardown: '<rootDir>/control-plane/src/testing/global-teardown.cjs',
  setupFilesAfterEnv: ['<rootDir>/control-plane/src/testing/cluster-timeout.cjs'],
};
