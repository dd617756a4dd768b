module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'migration-policy',
  rootDir: __dirname,
};
