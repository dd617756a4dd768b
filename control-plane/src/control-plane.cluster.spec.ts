import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CoreV1Api, CustomObjectsApi, VersionApi } from '@kubernetes/client-node';
import { CRDS, KUBEVIRTS, SETTINGS } from '@kubevirt-migration/k8s-adapter';
import { HARVESTER_DEFAULT } from '@kubevirt-migration/migration-policy';

import { startSettingsPage } from './apps.js';
import { seedKubeVirt } from './seed.js';
import { testKubeConfig } from './testing/cluster.js';

describe('the local control plane', () => {
  const kc = testKubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);

  it('serves Kubernetes v1.34 on loopback', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(kc.getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(['settings.harvesterhci.io', 'kubevirts.kubevirt.io', 'virtualmachineinstancemigrations.kubevirt.io'])(
    'CRD %s is established',
    async (name) => {
      const crd = (await custom.getClusterCustomObject({ ...CRDS, name })) as {
        status: { conditions: { type: string; status: string }[] };
      };
      expect(crd.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
    },
  );

  it('the KubeVirt CRD keeps x-kubernetes-int-or-string on bandwidthPerMigration (installed as it is)', async () => {
    const crd = (await custom.getClusterCustomObject({ ...CRDS, name: 'kubevirts.kubevirt.io' })) as {
      spec: {
        versions: {
          name: string;
          schema: {
            openAPIV3Schema: {
              properties: {
                spec: {
                  properties: {
                    configuration: {
                      properties: { migrations: { properties: Record<string, Record<string, unknown>> } };
                    };
                  };
                };
              };
            };
          };
        }[];
      };
    };
    const v1 = crd.spec.versions.find((v) => v.name === 'v1');
    const migrations =
      v1?.schema.openAPIV3Schema.properties.spec.properties.configuration.properties.migrations.properties ?? {};
    expect(migrations['bandwidthPerMigration']?.['x-kubernetes-int-or-string']).toBe(true);
    expect(Object.keys(migrations)).not.toContain('maxDowntimeMs');
  });

  it('is seeded: harvester-system, a realistic KubeVirt CR, the Setting with the default text', async () => {
    // other test files change the migrations block and the value; these parts no test touches
    await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'harvester-system' });
    const kubevirt = (await custom.getNamespacedCustomObject({
      ...KUBEVIRTS,
      namespace: 'harvester-system',
      name: 'kubevirt',
    })) as {
      spec: Record<string, unknown>;
    };
    const seeded = seedKubeVirt().spec;
    expect(kubevirt.spec['workloadUpdateStrategy']).toEqual(seeded.workloadUpdateStrategy);
    expect(kubevirt.spec['certificateRotateStrategy']).toEqual(seeded.certificateRotateStrategy);
    expect('migrations' in seeded.configuration).toBe(false);
    const setting = (await custom.getClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration' })) as Record<
      string,
      unknown
    >;
    expect(setting['default']).toBe(HARVESTER_DEFAULT);
  });

  it('the API server prunes a migration option that the 1.7.0 CRD does not list', async () => {
    // why the policy refuses such options: the API server would drop them silently
    const patched = (await custom.patchNamespacedCustomObject({
      ...KUBEVIRTS,
      namespace: 'harvester-system',
      name: 'kubevirt',
      body: [{ op: 'add', path: '/spec/configuration/migrations', value: { maxDowntimeMs: 300 } }],
      dryRun: 'All',
    })) as { spec: { configuration: { migrations?: Record<string, unknown> } } };
    expect(patched.spec.configuration.migrations).toEqual({});
  });
});

describe("npm start's settings page", () => {
  it('is served on loopback with the options and help of the CRD the control plane installs, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-page-'));
    const page = await startSettingsPage(join(__dirname, '..', '..'), join(dir, 'page.log'));
    try {
      expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const html = await fetch(page.url);
      expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
      await expect(html.text()).resolves.toContain('<script type="module" src="page.js">');
      const options = (await (await fetch(`${page.url}kubevirt-options.json`)).json()) as {
        source: string;
        options: Record<string, unknown>;
      };
      expect(options.source).toBe('KubeVirt v1.7.0 CRD');
      expect(Object.keys(options.options)).toContain('bandwidthPerMigration');
      expect((await fetch(page.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await page.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
