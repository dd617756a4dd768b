import base from '../../eslint.config.mjs';

/**
 * The adapter's floors, enforced: runtime/ at the bottom; client/ beside it; informer/ on both;
 * controller/ and webhook/ on top, apart from each other. No import runs back up a floor (see each
 * folder's README.md).
 */
const FLOORS = {
  runtime: ['client', 'informer', 'controller', 'webhook'],
  client: ['informer', 'controller', 'webhook'],
  informer: ['controller', 'webhook'],
  controller: ['webhook'],
  webhook: ['controller'],
};

const floor = ([folder, above]) => ({
  files: [`src/${folder}/**/*.ts`],
  // a spec may borrow from any floor to set up its test (the client's spec serves certificates the webhook makes)
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...above.map((other) => ({
            group: [`../${other}/*`, `../../${other}/*`],
            message: `${folder}/ is below ${other}/ (or beside it): it must not import from there.`,
          })),
          {
            group: ['../index.js', '../../index.js'],
            message: 'Import the file that defines it, not the public index.',
          },
        ],
      },
    ],
  },
});

export default [...base, ...Object.entries(FLOORS).map(floor)];
