import { KubeConfig } from '@kubernetes/client-node';
import { customApi, testKubeconfigPath } from '@kubevirt-migration/control-plane/testing';
import { fromClientNode, isAdapterError, KubeHttp, loadConnection } from '@kubevirt-migration/k8s-adapter';

/** Acting as the release's identities, and undoing what a release test changed. */

/** The Setting and the CR as seeded (other test files start from there): what this file's controllers wrote is undone. */
export const restoreSeededState = async (kc: KubeConfig): Promise<void> => {
  const objects = customApi(kc);
  const setting = { group: 'harvesterhci.io', version: 'v1beta1', plural: 'settings', name: 'kubevirt-migration' };
  const s = (await objects.getClusterCustomObject(setting)) as {
    value?: string;
    status?: unknown;
    metadata: { annotations?: Record<string, string> };
  };
  const ops: object[] = [];
  if (s.value !== undefined) ops.push({ op: 'remove', path: '/value' });
  if (s.status !== undefined) ops.push({ op: 'remove', path: '/status' });
  for (const key of Object.keys(s.metadata.annotations ?? {}))
    if (key === 'harvesterhci.io/hash' || key.startsWith('kubevirt-migration.harvesterhci.io/'))
      ops.push({ op: 'remove', path: `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
  if (ops.length > 0) await objects.patchClusterCustomObject({ ...setting, body: ops });
  const crRef = {
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'kubevirts',
    namespace: 'harvester-system',
    name: 'kubevirt',
  };
  const cr = (await objects.getNamespacedCustomObject(crRef)) as {
    spec?: { configuration?: { migrations?: unknown } };
  };
  if (cr.spec?.configuration?.migrations !== undefined)
    await objects.patchNamespacedCustomObject({
      ...crRef,
      body: [{ op: 'remove', path: '/spec/configuration/migrations' }],
    });
};

/** A client acting as a service account, with a token from the TokenRequest API. */
export const asIdentity = (admin: KubeConfig, token: string): KubeConfig => {
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('no cluster in the kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }],
    currentContext: 'sa',
  });
  return kc;
};

/** A JSON patch giving a Setting a value, for the custom-objects client. */
export const settingPatch = (name: string, value: string) => ({
  group: 'harvesterhci.io',
  version: 'v1beta1',
  plural: 'settings',
  name,
  body: [{ op: 'add', path: '/value', value }],
});

/** The adapter's client acting as a service account (the test cluster's server and CA, the token instead of its client certificate). */
export const identityHttp = (token: string): KubeHttp => {
  const { cert: _cert, key: _key, ...connection } = loadConnection({ kubeconfig: testKubeconfigPath() });
  return new KubeHttp({ ...connection, authorization: () => `Bearer ${token}` });
};

export const refusal = async (call: () => Promise<unknown>): Promise<string> => {
  try {
    await call();
    return 'allowed';
  } catch (e) {
    const err = isAdapterError(e) ? e : fromClientNode(e, 'call');
    return err.kind === 'Forbidden'
      ? 'forbidden'
      : err.kind === 'Invalid' || /denied/.test(err.message)
        ? `denied: ${err.message}`
        : `${err.kind}: ${err.message}`;
  }
};
