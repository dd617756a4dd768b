module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'migration-policy',
  rootDir: __dirname,
  // test/ holds the tests that need Node (files, node:crypto as an oracle), so that nothing under
  // src/ imports more than the library may
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
