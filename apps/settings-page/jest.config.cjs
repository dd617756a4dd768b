module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'settings-page',
  rootDir: __dirname,
};
