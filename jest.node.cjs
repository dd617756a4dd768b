/**
 * Tests on a real node (`npm run test:node`, needs root): the global setup runs `npm start -- --node`
 * (control plane, containerd, kubelet, kube-proxy, the image built without a registry, the chart
 * installed with its defaults); the tests operate the release as users do, with kubectl and Helm.
 * Everything the node made on the host is removed by the global teardown.
 */
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/control-plane', '<rootDir>/deploy'],
  testMatch: ['**/src/**/*.node.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/control-plane/src/testing/node-setup.cjs',
  globalTeardown: '<rootDir>/control-plane/src/testing/global-teardown.cjs',
  setupFilesAfterEnv: ['<rootDir>/control-plane/src/testing/cluster-timeout.cjs'],
  maxWorkers: 1,
};
