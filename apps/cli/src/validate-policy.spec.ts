import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot, runCli } from './testing/run-cli.js';

/** `kubevirt-migration validate --policy` (docs/semantics.md §6, §7), run as the built binary. */
const root = repoRoot;
const POLICY_CRD = join(root, 'control-plane', 'crds', 'migrationpolicies.migrations.kubevirt.io-v1.7.0.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'kubevirt-migration-validate-policy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(args, { HOME: tmp });
const policies = (...specs: string[]) => {
  const p = join(tmp, `p-${specs.length}-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(
    p,
    specs
      .map(
        (spec, i) =>
          `apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: p${i}}\nspec: ${spec}\n`,
      )
      .join('---\n'),
  );
  return p;
};

describe('kubevirt-migration validate --policy', () => {
  it('the example policies are valid: exit 0', () => {
    const r = run(
      'validate',
      '--policy',
      join(root, 'examples', 'migration-policies.yaml'),
      '--policy-crd',
      POLICY_CRD,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('valid: '))).toHaveLength(3);
  });

  it('every policy with every violation and warning: exit 1, -o json', () => {
    const file = policies(
      '{selectors: {}, completionTimeoutPerGiB: 0, bandwidthPerMigration: "-1"}',
      '{allowPostCopy: true, allowWorkloadDisruption: false}',
      '{selectors: {}, maxDowntimeMs: 20}',
    );
    const r = run('validate', '--policy', file, '--policy-crd', POLICY_CRD, '-o', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      policies: { name: string; violations: { field: string }[]; warnings: { field: string }[] }[];
    };
    expect(out.policies.map((p) => [p.name, p.violations.map((v) => v.field), p.warnings.map((w) => w.field)])).toEqual(
      [
        ['p0', ['spec.bandwidthPerMigration'], ['spec.completionTimeoutPerGiB']],
        ['p1', ['spec.selectors'], ['spec.allowWorkloadDisruption']],
        ['p2', ['spec.maxDowntimeMs'], []],
      ],
    );
  });

  it('warnings alone keep exit 0', () => {
    const r = run(
      'validate',
      '--policy',
      policies('{selectors: {}, progressTimeout: null, completionTimeoutPerGiB: 5}'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: spec.completionTimeoutPerGiB: completionTimeoutPerGiB is 5, below 10 seconds');
  });

  it.each([
    [['validate'], 'validate needs --new FILE (a Setting) or --policy FILE (MigrationPolicies)'],
    [
      ['validate', '--policy', join(root, 'examples', 'setting.yaml')],
      'item 1: expected a MigrationPolicy (migrations.kubevirt.io/v1alpha1), found kind Setting',
    ],
    [
      [
        'validate',
        '--policy',
        join(root, 'examples', 'migration-policies.yaml'),
        '--new',
        join(root, 'examples', 'setting.yaml'),
      ],
      'not both',
    ],
  ])('bad usage %#: exit 2 with one line', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
