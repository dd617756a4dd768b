import base, { boundaries, policyPure } from '../../eslint.config.mjs';

export default [
  ...base,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/testing/**'],
    rules: {
      ...policyPure,
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a string-literal union or an as-const object.' },
        ...policyPure['no-restricted-syntax'].slice(1),
      ],
    },
  },
  {
    // Tests run in Node and may use its modules and the test-only packages (the bundlers: the consumer test).
    files: ['src/**/*.spec.ts', 'src/testing/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(['fast-check', 'yaml', '@jest/globals', 'esbuild', 'webpack']),
    },
  },
];
