import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';

import { OWNED_KEYS } from './options.js';
import type { PlanInput } from './plan.js';
import { type PlanPreview, planPreview } from './preview.js';
import { meaning, migrationsBlock, validConfig } from './testing/arbitraries.js';
import { applied, HARVESTER_GATES, kubevirt, setting } from './testing/fixtures.js';

const NOW = '2026-01-01T00:00:00Z';
const preview = (input: Omit<PlanInput, 'now'>): PlanPreview => {
  const r = planPreview({ ...input, now: NOW });
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('planPreview: a pass with the CR options before and after its patch', () => {
  it.each<[string, Omit<PlanInput, 'now'>, Pick<PlanPreview, 'before' | 'after'> & { outcome: string; ops: number }]>([
    [
      'a change: the patch and the block it leads to',
      {
        setting: setting('{"parallelMigrationsPerCluster":3}'),
        kubevirt: kubevirt({ parallelMigrationsPerCluster: 5, network: 'n' }),
      },
      {
        outcome: 'Applied',
        ops: 2,
        before: { parallelMigrationsPerCluster: 5, network: 'n' },
        after: { parallelMigrationsPerCluster: 3, network: 'n' },
      },
    ],
    [
      'a CR without a block: before is {}',
      { setting: setting('{"progressTimeout":300}'), kubevirt: kubevirt() },
      { outcome: 'Applied', ops: 2, before: {}, after: { progressTimeout: 300 } },
    ],
    [
      'already converged: no patch, after is before',
      { setting: setting('{"progressTimeout":300}'), kubevirt: kubevirt({ progressTimeout: 300 }) },
      { outcome: 'Unchanged', ops: 0, before: { progressTimeout: 300 }, after: { progressTimeout: 300 } },
    ],
    [
      'invalid: no patch',
      { setting: setting('{"progressTimeout":-1}'), kubevirt: kubevirt({ progressTimeout: 300 }) },
      { outcome: 'Invalid', ops: 0, before: { progressTimeout: 300 }, after: { progressTimeout: 300 } },
    ],
    [
      'a gated option without its gate: no patch',
      { setting: setting('{"maxDowntimeMs":500}'), kubevirt: kubevirt({ progressTimeout: 300 }) },
      { outcome: 'FeatureGateMissing', ops: 0, before: { progressTimeout: 300 }, after: { progressTimeout: 300 } },
    ],
    [
      'an adoption writes the Setting, not the CR: no patch of the CR',
      { setting: setting(undefined), kubevirt: kubevirt({ progressTimeout: 300 }) },
      { outcome: 'Adopted', ops: 0, before: { progressTimeout: 300 }, after: { progressTimeout: 300 } },
    ],
    [
      'drift on the CR set back: the patch and the block it leads to',
      {
        setting: applied('{"parallelMigrationsPerCluster":3}'),
        kubevirt: kubevirt({ parallelMigrationsPerCluster: 9 }),
      },
      {
        outcome: 'DriftCorrected',
        ops: 2,
        before: { parallelMigrationsPerCluster: 9 },
        after: { parallelMigrationsPerCluster: 3 },
      },
    ],
    [
      'no CR: nothing to patch',
      { setting: setting('{}'), kubevirt: undefined },
      { outcome: 'Ignored', ops: 0, before: {}, after: {} },
    ],
  ])('%s', (_name, input, expected) => {
    const p = preview(input);
    expect({ outcome: p.plan.outcome, ops: p.patch.length, before: p.before, after: p.after }).toEqual(expected);
  });

  it('after holds what the setting asks on every owned option, and a second pass on it changes nothing', () => {
    fc.assert(
      fc.property(validConfig, migrationsBlock, (config, block) => {
        const value = JSON.stringify(config);
        // with the gate maxDowntimeMs needs (docs/semantics.md §2a)
        const gates = [...HARVESTER_GATES, 'MigrationStallDetection'];
        const first = preview({ setting: setting(value), kubevirt: kubevirt(block, '42', gates) });
        for (const key of OWNED_KEYS) expect(meaning(key, first.after[key])).toEqual(meaning(key, config[key]));
        const again = preview({ setting: setting(value), kubevirt: kubevirt(first.after, '42', gates) });
        expect(again.patch).toEqual([]);
        expect(again.after).toEqual(again.before);
      }),
      { numRuns: 200 },
    );
  });
});
