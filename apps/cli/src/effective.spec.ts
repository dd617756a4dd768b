import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot, runCli } from './testing/run-cli.js';

/** `kubevirt-migration effective` from files (docs/semantics.md §6, §7), run as the built binary. */
const root = repoRoot;
const ex = (name: string) => join(root, 'examples', name);
const KUBEVIRT_CRD = join(root, 'control-plane', 'crds', 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml');
const POLICY_CRD = join(root, 'control-plane', 'crds', 'migrationpolicies.migrations.kubevirt.io-v1.7.0.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'kubevirt-migration-effective-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(join(root, 'apps', 'cli', 'dist', 'main.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
});

const run = (...args: string[]) => runCli(args, { HOME: tmp });
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
/** The four inputs' flags: the examples, or the files given. */
const filesWith = (given: { vmi?: string; namespace?: string; policies?: string } = {}): string[] => [
  '--vmi',
  given.vmi ?? ex('vmi.yaml'),
  '--namespace',
  given.namespace ?? ex('namespace.yaml'),
  '--policies',
  given.policies ?? ex('migration-policies.yaml'),
  '--kubevirt',
  ex('kubevirt.yaml'),
];
const files = filesWith();
const crds = ['--kubevirt-crd', KUBEVIRT_CRD, '--policy-crd', POLICY_CRD];

describe('kubevirt-migration effective, from files', () => {
  it('-o json prints exactly vmi, policy, configuration and sources, every option the CRD lists', () => {
    const r = run('effective', ...files, ...crds, '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      vmi: 'prod/db-0',
      policy: 'busy-databases',
      configuration: {
        parallelMigrationsPerCluster: 5,
        parallelOutboundMigrationsPerNode: 2,
        bandwidthPerMigration: '0',
        completionTimeoutPerGiB: 800,
        progressTimeout: 150,
        allowAutoConverge: true,
        allowPostCopy: true,
        allowWorkloadDisruption: true,
        unsafeMigrationOverride: false,
        disableTLS: false,
        matchSELinuxLevelOnMigration: false,
        nodeDrainTaintKey: 'example.com/drain',
        network: 'vm-migration-network',
      },
      sources: {
        parallelMigrationsPerCluster: 'kubevirt',
        parallelOutboundMigrationsPerNode: 'kubevirt',
        bandwidthPerMigration: 'kubevirt',
        completionTimeoutPerGiB: 'policy',
        progressTimeout: 'kubevirt',
        allowAutoConverge: 'policy',
        allowPostCopy: 'policy',
        allowWorkloadDisruption: 'policy',
        unsafeMigrationOverride: 'kubevirt',
        disableTLS: 'kubevirt',
        matchSELinuxLevelOnMigration: 'kubevirt',
        nodeDrainTaintKey: 'kubevirt',
        network: 'kubevirt',
      },
    });
  });

  it('text: the winner, why (every score), each option with its source, and what no policy can set', () => {
    const r = run('effective', ...files, ...crds);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('policy: busy-databases wins with 2 matching labels (VMI 1, Namespace 1)');
    expect(r.stdout).toMatch(/production\s+yes\s+0\s+1/);
    expect(r.stdout).toMatch(/completionTimeoutPerGiB\s+800\s+policy/);
    expect(r.stdout).toContain(
      'no policy can set: parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode, progressTimeout,',
    );
  });

  it('with --setting, the cluster part is the CR after the controller applied that Setting', () => {
    const r = run('effective', ...files, ...crds, '--setting', ex('setting.yaml'), '-o', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('parallelMigrationsPerCluster: 8\n');
    expect(r.stdout).toContain('bandwidthPerMigration: 512Mi\n');
    expect(r.stdout).toContain('completionTimeoutPerGiB: 800\n');
  });

  it('a VMI that matches no policy migrates with the cluster configuration: policy null', () => {
    const vmi = file(
      'other.yaml',
      'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: web, namespace: prod, labels: {app: web}}\n',
    );
    const policies = file(
      'p.yaml',
      'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: db}\nspec: {selectors: {virtualMachineInstanceSelector: {app: db}}, allowAutoConverge: true}\n',
    );
    const r = run('effective', ...filesWith({ vmi, policies }), '-o', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.policy).toBeNull();
    expect(out.sources.allowAutoConverge).toBe('kubevirt');
  });

  it('an invalid policy: exit 2, one line naming its file, object and field', () => {
    const bad = file(
      'bad.yaml',
      'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: slow}\nspec: {selectors: {}, completionTimeoutPerGiB: -5}\n',
    );
    const r = run('effective', ...filesWith({ policies: bad }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^kubevirt-migration: ${bad}: MigrationPolicy slow: spec.completionTimeoutPerGiB: Invalid value: -5: must not be negative: use an integer from 0 to \\d+\\n$`,
      ),
    );
  });

  it('a maxDowntimeMs the installed MigrationPolicy CRD does not list: exit 2 naming the field', () => {
    const p = file(
      'md.yaml',
      'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: md}\nspec: {selectors: {}, maxDowntimeMs: 300}\n',
    );
    const r = run('effective', ...filesWith({ policies: p }), '--policy-crd', POLICY_CRD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MigrationPolicy md: spec.maxDowntimeMs: Unsupported value: "maxDowntimeMs"');
  });

  it.each([
    [
      'no cluster and no --namespace',
      ['--vmi', ex('vmi.yaml'), '--policies', ex('migration-policies.yaml'), '--kubevirt', ex('kubevirt.yaml')],
      '--namespace is required when no cluster is used',
    ],
    [
      'no cluster and a VMI by name',
      filesWith({ vmi: 'prod/db-0' }),
      '--vmi FILE (prod/db-0 is no file) is required when no cluster is used',
    ],
    [
      'a Namespace file of another namespace',
      filesWith({ namespace: ex('kubevirt.yaml') }),
      'expected a Namespace (v1), found kind KubeVirt',
    ],
    [
      'a Setting that is invalid',
      [...files, '--setting', ex('setting-invalid.yaml')],
      '--setting: the Setting is invalid: value.bandwidthPerMigraton',
    ],
  ])('bad input (%s): exit 2 with one line', (_name, args, message) => {
    const r = run('effective', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
