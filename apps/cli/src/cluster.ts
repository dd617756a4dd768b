import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { SETTING_NAME } from '@kubevirt-migration/migration-policy';
import { errorMessage } from '@kubevirt-migration/service';

import type { ClusterReader } from './inputs.js';
import { InputError } from './io/errors.js';
import type { VmiClusterReader } from './vmi-inputs.js';

export interface ClusterFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

const FIELD_MANAGER = 'kubevirt-migration-cli';

type Adapter = typeof import('@kubevirt-migration/k8s-adapter');

/** The adapter (and client-node with it) is loaded only when the cluster is really used. */
const loadAdapter = (): Promise<Adapter> => import('@kubevirt-migration/k8s-adapter');

interface Connected {
  readonly client: InstanceType<Adapter['KubeClient']>;
  readonly server: string;
}

/** Loads the adapter and the connection the flags name; a bad kubeconfig is an InputError. */
const openCluster = async (flags: ClusterFlags): Promise<Connected> => {
  const adapter = await loadAdapter();
  let connection;
  try {
    connection = adapter.loadConnection(flags);
  } catch (e) {
    throw new InputError(errorMessage(e));
  }
  const http = new adapter.KubeHttp(connection, { fieldManager: FIELD_MANAGER });
  return { client: new adapter.KubeClient(http, FIELD_MANAGER), server: connection.server };
};

/**
 * A reader of the cluster when one is configured, else undefined. With `flagsOnly`, only a cluster
 * named by --kubeconfig or --context counts (validate works offline by default, even with a
 * $KUBECONFIG of a cluster that is not running); otherwise $KUBECONFIG and ~/.kube/config count too,
 * as with kubectl. Every failure is one line naming the server (or the kubeconfig) and the problem.
 */
export const connectCluster = (
  flags: ClusterFlags,
  flagsOnly: boolean,
): (ClusterReader & VmiClusterReader) | undefined => {
  const named = (flags.kubeconfig ?? '') !== '' || (flags.context ?? '') !== '';
  const configured =
    named || (process.env['KUBECONFIG'] ?? '') !== '' || existsSync(join(homedir(), '.kube', 'config'));
  if (!(flagsOnly ? named : configured)) return undefined;
  let connected: Promise<Connected> | undefined;
  const connect = (): Promise<Connected> => (connected ??= openCluster(flags));
  /** Runs a call against the cluster; a failure names the server. */
  const described = async <T>(call: (client: InstanceType<Adapter['KubeClient']>) => Promise<T>): Promise<T> => {
    const { client, server } = await connect();
    try {
      return await call(client);
    } catch (e) {
      throw new InputError(`${server}: ${errorMessage(e)}`);
    }
  };
  return {
    setting: () => described((c) => c.getSetting(SETTING_NAME)),
    kubevirt: () => described((c) => c.getKubeVirt()),
    kubevirtCrd: () => described((c) => c.getKubeVirtCrd()),
    migrations: () => described((c) => c.listMigrations()),
    server: async () => (await connect()).server,
    vmi: (namespace, name) => described(async (c) => c.getObject((await loadAdapter()).VMIS, name, namespace)),
    namespace: (name) => described(async (c) => c.getObject((await loadAdapter()).NAMESPACES, name)),
    migrationPolicies: () => described(async (c) => c.listObjects((await loadAdapter()).MIGRATION_POLICIES)),
    migrationPolicyCrd: () =>
      described(async (c) => c.getObject((await loadAdapter()).CRDS, (await loadAdapter()).MIGRATION_POLICY_CRD_NAME)),
    patchSetting: (ops) =>
      described(async (c) => {
        await c.patchSetting(SETTING_NAME, ops);
      }),
  };
};
