import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { effectivePreview, type EffectiveTexts } from './effective.js';

const ex = (name: string) => readFileSync(join(__dirname, '..', '..', '..', '..', 'examples', name), 'utf8');
const NOW = '2026-11-24T00:00:00Z';
const texts: EffectiveTexts = {
  vmi: ex('vmi.yaml'),
  namespace: ex('namespace.yaml'),
  policies: ex('migration-policies.yaml'),
  kubevirt: ex('kubevirt.yaml'),
  value: '{"bandwidthPerMigration":"512Mi","completionTimeoutPerGiB":300}',
};

describe('the per-VMI panel (docs/semantics.md §7)', () => {
  it('answers as `kubevirt-migration effective`: the winning policy over the CR with the form value applied', () => {
    const p = effectivePreview(texts, undefined, NOW);
    if (p.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(p)}`);
    expect(p.result.policy).toBe('busy-databases');
    expect(p.result.configuration).toMatchObject({
      bandwidthPerMigration: '512Mi',
      completionTimeoutPerGiB: 800,
      allowPostCopy: true,
    });
    expect(p.result.sources).toMatchObject({ bandwidthPerMigration: 'kubevirt', completionTimeoutPerGiB: 'policy' });
    expect(p.vmiLabels).toMatchObject({ app: 'postgres' });
  });

  it('without a CR or Namespace: the form value over KubeVirt defaults, a Namespace without labels', () => {
    const p = effectivePreview({ ...texts, kubevirt: '', namespace: '' }, undefined, NOW);
    if (p.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(p)}`);
    // quirk 3: without Namespace labels, the namespace selectors of both policies fail
    expect(p.result.policy).toBe('everything');
    expect(p.result.configuration).toMatchObject({ bandwidthPerMigration: '512Mi', parallelMigrationsPerCluster: 5 });
    expect(p.result.sources).toMatchObject({
      bandwidthPerMigration: 'kubevirt',
      parallelMigrationsPerCluster: 'default',
    });
  });

  it.each<[string, Partial<EffectiveTexts>, string]>([
    ['no VMI yet', { vmi: '' }, 'none'],
    ['a VMI that is not YAML', { vmi: 'a: [' }, 'the VMI is not YAML or JSON'],
    ['something else than a VMI', { vmi: ex('namespace.yaml') }, 'paste one VirtualMachineInstance as the VMI'],
    [
      'an invalid policy',
      { policies: 'kind: MigrationPolicy\nmetadata: {name: p}\nspec: {selectors: {}, completionTimeoutPerGiB: -1}' },
      'MigrationPolicy 1: spec.completionTimeoutPerGiB: Invalid value: -1',
    ],
    ['an invalid form value', { value: '{"progressTimeout":-1}' }, 'the Setting is invalid: value.progressTimeout'],
  ])('%s', (_name, over, expected) => {
    const p = effectivePreview({ ...texts, ...over }, undefined, NOW);
    if (expected === 'none') expect(p).toEqual({ kind: 'none' });
    else expect(p.kind === 'unreadable' ? p.message : JSON.stringify(p)).toContain(expected);
  });
});
