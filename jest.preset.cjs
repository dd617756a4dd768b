/**
 * Shared Jest settings. TypeScript (and the ESM-only packages below) are compiled to CommonJS by
 * SWC; workspace libraries resolve to their sources through the `@kubevirt-migration/source`
 * export condition, so tests never need a build first.
 */
const esmPackages = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'].join('|');

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@kubevirt-migration/source', 'node', 'require', 'default'],
  },
  transform: {
    '^.+\\.(ts|js|mjs)$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
