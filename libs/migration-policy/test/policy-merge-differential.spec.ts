import { join } from 'node:path';

import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';

import { effectiveConfiguration } from '../src/effective/effective.js';
import { decodeMigrationPolicy } from '../src/effective/policy.js';
import { compareFractions, quantityValue } from '../src/quantity.js';
import { askGoOracle, BUILD_TIMEOUT_MS, buildGoOracle } from './go-oracle.js';

/**
 * The merge of a winning MigrationPolicy against the code no one here wrote: kubevirt.io/api v1.7.0's
 * GetMigrationConfByPolicy, built from the Go module proxy into the project's cache. For generated
 * cluster configurations (every option set, as KubeVirt's defaults guarantee) and policies, the
 * options the library resolves must be the ones KubeVirt's merge gives, quirk 4 included.
 */
const POLICY_FIELDS_1_7_0 = new Set([
  'selectors',
  'allowAutoConverge',
  'allowPostCopy',
  'allowWorkloadDisruption',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
]);
const MERGED = [
  'allowAutoConverge',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'allowPostCopy',
  'allowWorkloadDisruption',
] as const;

const quantity = fc.oneof(
  fc.nat({ max: 2 ** 40 }),
  fc
    .tuple(fc.nat({ max: 4096 }), fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'k', 'M', 'G', 'e3'))
    .map(([n, s]) => `${n}${s}`),
);
const cluster = fc.record({
  allowAutoConverge: fc.boolean(),
  bandwidthPerMigration: quantity,
  completionTimeoutPerGiB: fc.integer({ min: 1, max: 100000 }),
  allowPostCopy: fc.boolean(),
  allowWorkloadDisruption: fc.boolean(),
  progressTimeout: fc.integer({ min: 1, max: 100000 }),
  parallelMigrationsPerCluster: fc.integer({ min: 1, max: 100 }),
});
const policySpec = fc.record(
  {
    allowAutoConverge: fc.boolean(),
    bandwidthPerMigration: quantity,
    completionTimeoutPerGiB: fc.integer({ min: 0, max: 100000 }),
    allowPostCopy: fc.boolean(),
    allowWorkloadDisruption: fc.boolean(),
  },
  { requiredKeys: [] },
);

const same = (a: unknown, b: unknown): boolean => {
  const qa = quantityValue(a);
  const qb = quantityValue(b);
  return typeof a === 'boolean' || typeof b === 'boolean' || qa === undefined || qb === undefined
    ? a === b
    : compareFractions(qa, qb) === 0;
};

describe('the policy merge, differentially against kubevirt.io/api GetMigrationConfByPolicy', () => {
  let oracle = '';
  // on a fresh machine the first build downloads kubevirt.io/api and k8s.io/api: minutes, not seconds
  beforeAll(() => {
    oracle = buildGoOracle(join(__dirname, 'kubevirt-oracle'), 'kubevirt-oracle');
  }, BUILD_TIMEOUT_MS);

  it('resolves every option a policy can set as KubeVirt 1.7.0 does', () => {
    const cases = fc.sample(fc.tuple(cluster, policySpec), { numRuns: 1500, seed: 22 });
    const answers = askGoOracle(
      oracle,
      ['merge'],
      cases.map(([c, spec]) => ({ cluster: c, policy: { metadata: { name: 'p' }, spec: { selectors: {}, ...spec } } })),
    ) as { ok: boolean; changed: boolean; config: Record<string, unknown>; error?: string }[];
    expect(answers).toHaveLength(cases.length);
    cases.forEach(([c, spec], i) => {
      const answer = answers[i];
      expect(answer?.ok).toBe(true);
      const policy = decodeMigrationPolicy(
        { metadata: { name: 'p' }, spec: { selectors: {}, ...spec } },
        POLICY_FIELDS_1_7_0,
      );
      if (E.isLeft(policy)) throw new Error(`generated policy does not decode: ${JSON.stringify(policy.left)}`);
      const ours = effectiveConfiguration({
        vmi: { metadata: { namespace: 'ns', name: 'vmi', labels: { app: 'x' } } },
        namespace: { metadata: { name: 'ns', labels: { a: 'b' } } },
        policies: [policy.right],
        kubevirt: { spec: { configuration: { migrations: c } } },
        policyFields: POLICY_FIELDS_1_7_0,
      });
      for (const key of MERGED) {
        if (!same(ours.configuration[key], answer?.config[key])) {
          throw new Error(
            `${key}: ours ${JSON.stringify(ours.configuration[key])}, KubeVirt ${JSON.stringify(answer?.config[key])} for ${JSON.stringify({ c, spec })}`,
          );
        }
      }
      // KubeVirt records the policy exactly when it set something (quirk 5)
      expect(answer?.changed).toBe(Object.values(ours.sources).includes('policy'));
    });
  });
});
