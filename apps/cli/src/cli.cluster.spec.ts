import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import {
  customApi,
  freshNamespace,
  kubectlBinary,
  KUBEVIRT_CRD_WITH_MAX_DOWNTIME,
  swapKubevirtCrd,
  testKubeConfig,
  testKubeconfigPath,
} from '@kubevirt-migration/control-plane/testing';
import { KUBEVIRTS, MIGRATIONS, SETTINGS } from '@kubevirt-migration/k8s-adapter';

import { repoRoot, runCli } from './testing/run-cli.js';

/** The built CLI against the local control plane: every input not given as a file comes from the cluster. */
const root = repoRoot;
const run = (...args: string[]) => runCli([...args, '--kubeconfig', testKubeconfigPath()], { HOME: '/nonexistent' });

const kc = testKubeConfig();
const custom = customApi(kc);
const kubevirt = { ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' };
const setting = { ...SETTINGS, name: 'kubevirt-migration' };
const patchKubeVirt = (ops: object[]) => custom.patchNamespacedCustomObject({ ...kubevirt, body: ops });
const patchSetting = (ops: object[]) => custom.patchClusterCustomObject({ ...setting, body: ops });
const getSetting = async () => (await custom.getClusterCustomObject(setting)) as Record<string, unknown>;
const getMigrations = async () =>
  (
    (await custom.getNamespacedCustomObject(kubevirt)) as {
      spec: { configuration: { migrations?: Record<string, unknown> } };
    }
  ).spec.configuration.migrations;

/** Puts the shared singletons back as seeded: no value on the Setting, no migrations block on the CR. */
const restore = async () => {
  if ((await getSetting())['value'] !== undefined) await patchSetting([{ op: 'remove', path: '/value' }]);
  if ((await getMigrations()) !== undefined)
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration/migrations' }]);
};

// before the first test too: an earlier file may leave them otherwise (a controller run by the image test applies the default)
beforeAll(restore);
afterEach(restore);

describe('kubevirt-migration against a cluster', () => {
  it('diff reads the Setting, the CR and its CRD from the cluster', () => {
    const r = run('diff', '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ outcome: 'Patch', before: {} });
    expect(out.patch[0]).toMatchObject({ op: 'test', path: '/metadata/resourceVersion' });
    expect(out.after).toMatchObject({ parallelMigrationsPerCluster: 5, bandwidthPerMigration: 0 });
  });

  it('diff mixes a file with the cluster: the Setting from a file, the CR from the cluster', () => {
    const r = run('diff', '--setting', join(root, 'examples', 'setting.yaml'), '-o', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).after).toMatchObject({
      parallelMigrationsPerCluster: 8,
      bandwidthPerMigration: '512Mi',
    });
  });

  it("validate refuses a change while one of the cluster's migrations runs, and allows it once it succeeded", async () => {
    const ns = await freshNamespace(kc);
    await custom.createNamespacedCustomObject({
      ...MIGRATIONS,
      namespace: ns,
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstanceMigration',
        metadata: { name: 'vm-a' },
        spec: { vmiName: 'vm-a' },
      },
    });
    await custom.patchNamespacedCustomObjectStatus({
      ...MIGRATIONS,
      namespace: ns,
      name: 'vm-a',
      body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }],
    });
    const args = [
      'validate',
      '--new',
      join(root, 'examples', 'setting.yaml'),
      '--old',
      join(root, 'examples', 'setting-default.yaml'),
    ];
    const denied = run(...args);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain(`${ns}/vm-a (Running)`);
    await custom.patchNamespacedCustomObjectStatus({
      ...MIGRATIONS,
      namespace: ns,
      name: 'vm-a',
      body: [{ op: 'replace', path: '/status/phase', value: 'Succeeded' }],
    });
    expect(run(...args).code).toBe(0);
  });

  it("validate refuses an option that the cluster's KubeVirt CRD (1.7.0) would prune", () => {
    const r = run('validate', '--new', join(root, 'examples', 'setting.yaml'), '-o', 'json');
    expect(r.code).toBe(0);
    const file = join(root, 'apps', 'cli', 'src', 'testing', 'setting-max-downtime.yaml');
    const refused = run('validate', '--new', file, '-o', 'json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).status.details.causes[0]).toMatchObject({
      reason: 'FieldValueNotSupported',
      field: 'value.maxDowntimeMs',
    });
  });

  it("validate reads the feature gates of the cluster's KubeVirt CR", async () => {
    const restoreCrd = await swapKubevirtCrd(kc, root, KUBEVIRT_CRD_WITH_MAX_DOWNTIME);
    try {
      const file = join(root, 'apps', 'cli', 'src', 'testing', 'setting-max-downtime.yaml');
      const refused = run('validate', '--new', file, '-o', 'json');
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout).status.details.causes).toEqual([
        expect.objectContaining({
          reason: 'FieldValueForbidden',
          field: 'value.maxDowntimeMs',
          message: expect.stringContaining('MigrationStallDetection'),
        }),
      ]);
      // a file given for the CR is used instead of the cluster's
      const withGate = join(root, 'apps', 'cli', 'src', 'testing', 'kubevirt-stall-detection.yaml');
      expect(run('validate', '--new', file, '--kubevirt', withGate).code).toBe(0);
    } finally {
      await restoreCrd();
    }
  }, 60000);

  it('adopt --apply writes the CR options as the value of a blank setting, and refuses to overwrite a different value', async () => {
    await patchKubeVirt([
      {
        op: 'add',
        path: '/spec/configuration/migrations',
        value: { parallelMigrationsPerCluster: 12, bandwidthPerMigration: '1Gi', network: 'mig-net' },
      },
    ]);
    const dry = run('adopt');
    expect(dry).toMatchObject({
      code: 0,
      stdout: '{"parallelMigrationsPerCluster":12,"bandwidthPerMigration":"1Gi"}\n',
    });
    expect((await getSetting())['value']).toBeUndefined();

    expect(run('adopt', '--apply').code).toBe(0);
    expect((await getSetting())['value']).toBe('{"parallelMigrationsPerCluster":12,"bandwidthPerMigration":"1Gi"}');

    await patchSetting([{ op: 'replace', path: '/value', value: '{"parallelMigrationsPerCluster":3}' }]);
    const refused = run('adopt', '--apply');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already has a value that differs');
    expect((await getSetting())['value']).toBe('{"parallelMigrationsPerCluster":3}');
  });

  it('a vanished API server is one clear line, exit 2', () => {
    const r = runCli(['diff', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kubevirt-migration: kubeconfig /nonexistent/kubeconfig: no such file\n');
  });
});

describe('as a kubectl plugin', () => {
  it(
    'kubectl kubevirt-migration runs it, once npm has put kubectl-kubevirt_migration on PATH',
    async () => {
      const bins = join(root, 'node_modules', '.bin');
      expect(existsSync(join(bins, 'kubectl-kubevirt_migration'))).toBe(true);
      const r = spawnSync(await kubectlBinary(), ['kubevirt-migration', 'explain', 'allowPostCopy', '-o', 'json'], {
        encoding: 'utf8',
        env: { PATH: `${bins}:${process.env['PATH'] ?? ''}`, HOME: '/nonexistent', NO_COLOR: '1' },
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ key: 'allowPostCopy', type: 'boolean' });
    },
    20 * 60 * 1000,
  ); // the first run builds kubectl
});
