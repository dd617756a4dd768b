import nx from '@nx/eslint-plugin';
import prettier from 'eslint-plugin-prettier/recommended';
import simpleImportSort from 'eslint-plugin-simple-import-sort';

/**
 * Module boundaries are enforced here, not by goodwill:
 * - the policy library imports only io-ts, fp-ts and fast-json-patch, and uses no Node API, clock,
 *   randomness or environment (it must run unchanged in a browser);
 * - libraries never import apps, and no app imports another app.
 */
export const policyPure = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['node:*'], message: 'The policy library is pure: no Node modules.' },
        {
          regex: '^(fs|path|os|crypto|http|https|net|child_process|process|url|util|stream|events)(/.*)?$',
          message: 'The policy library is pure: no Node modules.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['process', 'Buffer', 'require', 'fetch', 'setTimeout', 'setInterval', 'crypto', 'window', 'document'].map(
      (name) => ({
        name,
        message: 'The policy library is pure: no IO, clock, environment or host objects.',
      }),
    ),
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'The policy library has no clock.' },
    { object: 'Math', property: 'random', message: 'The policy library has no randomness.' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date']", message: 'The policy library has no clock.' },
  ],
};

export const boundaries = (extraPolicyImports = []) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'scope:policy',
        onlyDependOnLibsWithTags: ['scope:policy'],
        allowedExternalImports: ['io-ts', 'io-ts/*', 'fp-ts', 'fp-ts/*', 'fast-json-patch', ...extraPolicyImports],
      },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
      // benchmarks drive the local control plane
      { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
      // the chart's tests install it into the local control plane
      { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
    ],
  },
];

/** Tests against a real API server may use the control-plane harness (a tool); nothing else may. */
export const clusterTests = {
  files: ['**/*.cluster.spec.ts', '**/*.faults.spec.ts'],
  rules: {
    '@nx/enforce-module-boundaries': [
      'error',
      {
        enforceBuildableLibDependency: false,
        allow: [
          '@kubevirt-migration/control-plane',
          '@kubevirt-migration/control-plane/testing',
          '@kubevirt-migration/control-plane/testing/faults',
        ],
        // the CLI loads the adapter lazily; its tests may import it directly
        checkDynamicDependenciesExceptions: ['@kubevirt-migration/k8s-adapter'],
        depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] }],
      },
    ],
  },
};

/** Test code is exempt from the shape bounds: a table or a scenario reads best in one place. */
export const testFiles = [
  '**/*.spec.ts',
  '**/test/**',
  '**/testing/**',
  '**/jest.config.cjs',
  '**/jest.*.cjs',
  '**/jest.preset.cjs',
];

/**
 * Shape is bounded in lint, as pepr does; a function that breaks a bound is split into named parts, not
 * exempted. Bounds: 50 lines per function (blank lines and comments not counted); cyclomatic complexity 15
 * (pepr's spirit: room for one decision table, not for a function that does two things); blocks nested 4
 * deep; 4 parameters (beyond that, an options object); exported functions state their types.
 */
export const shape = [
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs', '**/*.js'],
    ignores: testFiles,
    rules: {
      'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true }],
      complexity: ['error', 15],
      'max-depth': ['error', 4],
      'max-params': ['error', 4],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: testFiles,
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'error' },
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/coverage', '**/api-docs', '.nx'] },
  // imports in one order everywhere (Node built-ins and packages, then the workspace's, then relative), fixed by --fix
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs'],
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: { 'simple-import-sort/imports': 'error' },
  },
  {
    files: ['**/*.ts'],
    // type-aware rules: each file is checked with the tsconfig that builds or tests it
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@nx/enforce-module-boundaries': boundaries(),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a string-literal union or an as-const object.' },
      ],
    },
  },
  clusterTests,
  ...shape,
  // formatting is part of lint: Prettier's verdict, as an ESLint error
  prettier,
];
