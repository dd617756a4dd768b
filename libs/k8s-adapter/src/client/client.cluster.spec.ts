import { freePort } from '@kubevirt-migration/control-plane';
import {
  customApi,
  freshNamespace,
  testKubeConfig,
  testKubeconfigPath,
} from '@kubevirt-migration/control-plane/testing';
import { SETTING_NAME } from '@kubevirt-migration/migration-policy';

import { KubeClient } from './client.js';
import { type AdapterError, isAdapterError } from './errors.js';
import { KubeHttp } from './http.js';
import { MIGRATIONS } from './kinds.js';
import { type Connection, loadConnection } from './kubeconfig.js';

const rejection = async (p: Promise<unknown>): Promise<AdapterError> => {
  try {
    await p;
  } catch (e) {
    if (isAdapterError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
};

describe('KubeClient against a real API server', () => {
  const kc = testKubeConfig();
  const connection = loadConnection({ kubeconfig: testKubeconfigPath() });
  const client = new KubeClient(new KubeHttp(connection), 'kubevirt-migration-test');

  it('reads the Setting, the KubeVirt CR and its CRD', async () => {
    expect((await client.getSetting(SETTING_NAME))?.['default']).toEqual(expect.any(String));
    expect((await client.getKubeVirt())?.['kind']).toBe('KubeVirt');
    expect((await client.getKubeVirtCrd())?.['kind']).toBe('CustomResourceDefinition');
  });

  it('gives undefined for an object that does not exist', async () => {
    expect(await client.getSetting('no-such-setting')).toBeUndefined();
  });

  it('lists migrations in all namespaces', async () => {
    const ns = await freshNamespace(kc);
    await customApi(kc).createNamespacedCustomObject({
      ...MIGRATIONS,
      namespace: ns,
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstanceMigration',
        metadata: { name: 'm1' },
        spec: { vmiName: 'vm1' },
      },
    });
    const names = (await client.listMigrations()).map(
      (m) => `${(m['metadata'] as { namespace: string }).namespace}/${(m['metadata'] as { name: string }).name}`,
    );
    expect(names).toContain(`${ns}/m1`);
    // a VMIM without status is a pending migration: left behind, it would block other tests' changes
    await customApi(kc).deleteNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, name: 'm1' });
  });

  it('maps a failed JSON Patch test to TestFailed, a schema violation to Invalid, and records the field manager on a write', async () => {
    const error = await rejection(
      client.patchKubeVirt([{ op: 'test', path: '/metadata/resourceVersion', value: 'stale' }]),
    );
    expect(error).toMatchObject({ kind: 'TestFailed', status: 422 });
    expect(error).toBeInstanceOf(Error);
    const invalid = await rejection(
      client.patchKubeVirt([
        { op: 'add', path: '/spec/configuration/migrations', value: { bandwidthPerMigration: 'lots' } },
      ]),
    );
    expect(invalid).toMatchObject({ kind: 'Invalid', status: 422 });
    expect(invalid.message).toMatch(/bandwidthPerMigration/);
    const written = await client.patchKubeVirt([
      { op: 'add', path: '/metadata/labels', value: { 'test.kubevirt-migration/touched': 'yes' } },
    ]);
    const managers = ((written['metadata'] as { managedFields: { manager: string }[] }).managedFields ?? []).map(
      (f) => f.manager,
    );
    expect(managers).toContain('kubevirt-migration-test');
  });

  it('maps a vanished API server to Unavailable', async () => {
    // a loopback port where nothing listens
    const dead: Connection = { ...connection, server: `https://127.0.0.1:${await freePort()}` };
    const error = await rejection(new KubeClient(new KubeHttp(dead), 'test').getSetting(SETTING_NAME));
    expect(error.kind).toBe('Unavailable');
    expect(error.message).toMatch(/get Setting kubevirt-migration: API server unreachable/);
  });
});
