import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SETTING_NAME } from '@kubevirt-migration/migration-policy';
import type { ClusterReader } from './inputs.js';
import { InputError } from './io/errors.js';

export interface ClusterFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

const FIELD_MANAGER = 'kubevirt-migration-cli';

type Adapter = typeof import('@kubevirt-migration/k8s-adapter');

/** The adapter (and client-node with it) is loaded only when the cluster is really used. */
const loadAdapter = (): Promise<Adapter> => import('@kubevirt-migration/k8s-adapter');

const described = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    const message = typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
    throw new InputError(message);
  }
};

/**
 * A reader of the cluster when one is configured, else undefined. With `explicitOnly`, only a
 * cluster named by --kubeconfig, --context or $KUBECONFIG counts (validate works offline by
 * default); otherwise ~/.kube/config is used too, as kubectl would.
 */
export const connectCluster = (flags: ClusterFlags, explicitOnly: boolean): ClusterReader | undefined => {
  const explicit = (flags.kubeconfig ?? '') !== '' || (flags.context ?? '') !== '' || (process.env['KUBECONFIG'] ?? '') !== '';
  if (!explicit && (explicitOnly || !existsSync(join(homedir(), '.kube', 'config')))) return undefined;
  let client: Promise<InstanceType<Adapter['KubeClient']>> | undefined;
  const kube = () =>
    (client ??= described(async () => {
      const adapter = await loadAdapter();
      return new adapter.KubeClient(adapter.loadKubeConfig(flags), FIELD_MANAGER);
    }));
  return {
    setting: () => described(async () => (await kube()).getSetting(SETTING_NAME)),
    kubevirt: () => described(async () => (await kube()).getKubeVirt()),
    kubevirtCrd: () => described(async () => (await kube()).getKubeVirtCrd()),
    migrations: () => described(async () => (await kube()).listMigrations()),
    patchSetting: (ops) =>
      described(async () => {
        await (await kube()).patchSetting(SETTING_NAME, ops);
      }),
  };
};
