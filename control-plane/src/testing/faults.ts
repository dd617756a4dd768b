import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { isAdapterError, KubeHttp, loadConnection } from '@kubevirt-migration/k8s-adapter';
import { errorMessage } from '@kubevirt-migration/service';

import { chartEnvironment, startController, startWebhook } from '../apps.js';
import { type ControlPlane, startControlPlane } from '../control-plane.js';
import { quietLog } from '../log.js';
import type { ManagedProcess } from '../process.js';
import { seed } from '../seed.js';

/**
 * What the fault scenarios share: a folder for the apps' logs (kept with KEEP_FAULT_LOGS), the
 * outcome of an attempted Setting change as the API server reports it, migrations with a phase,
 * and a process's resident memory.
 */
export const faultLogs = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-faults-'));
  return {
    dir,
    remove: () => {
      if (process.env['KEEP_FAULT_LOGS'] === undefined) rmSync(dir, { recursive: true, force: true });
      else console.log(`logs kept in ${dir}`);
    },
  };
};

/** How the API server answered a change of the Setting. */
export type ChangeOutcome = 'admitted' | 'busy' | 'unknown' | 'unavailable' | 'other';

/** Counts of each outcome, and the messages of the unexpected ones. */
export class ChangeTally {
  readonly counts: Record<ChangeOutcome, number> = { admitted: 0, busy: 0, unknown: 0, unavailable: 0, other: 0 };
  readonly others: string[] = [];

  add(outcome: ChangeOutcome, message = ''): ChangeOutcome {
    this.counts[outcome]++;
    if (outcome === 'other') this.others.push(message);
    return outcome;
  }

  toString(): string {
    const c = this.counts;
    return `admitted ${c.admitted}, denied "in progress" ${c.busy}, denied "not known" ${c.unknown}, unavailable ${c.unavailable}, other ${c.other}`;
  }
}

const SETTING_PATH = '/apis/harvesterhci.io/v1beta1/settings/kubevirt-migration';
const migrationsPath = (namespace: string): string =>
  `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstancemigrations`;

/** Admin access to a control plane through the adapter's HTTP client (it takes a timeout per request). */
export class FaultClient {
  readonly http: KubeHttp;

  constructor(kubeconfig: string) {
    this.http = new KubeHttp(loadConnection({ kubeconfig }));
  }

  /** Writes the Setting's value; gives the resourceVersion the API server stored it at. */
  async setValue(value: string, timeoutMs = 10000): Promise<string> {
    const stored = (await this.http.request('set the value', 'PATCH', SETTING_PATH, {
      body: [{ op: 'add', path: '/value', value }],
      contentType: 'application/json-patch+json',
      timeoutMs,
    })) as { metadata: { resourceVersion: string } };
    return stored.metadata.resourceVersion;
  }

  /** Attempts a change and classifies the answer into `tally`. */
  async tryChange(value: string, tally: ChangeTally, timeoutMs = 10000): Promise<ChangeOutcome> {
    try {
      await this.setValue(value, timeoutMs);
      return tally.add('admitted');
    } catch (e) {
      const message = errorMessage(e);
      if (/migrations? (is|are) in progress/.test(message)) return tally.add('busy');
      if (/it is not known whether a migration is in progress/.test(message)) return tally.add('unknown');
      if ((isAdapterError(e) && e.kind === 'Unavailable') || /failed calling webhook/.test(message))
        return tally.add('unavailable');
      return tally.add('other', message);
    }
  }

  /** The KubeVirt CR's migrations block. */
  async migrationsBlock(): Promise<Record<string, unknown> | undefined> {
    const cr = (await this.http.request(
      'get the CR',
      'GET',
      '/apis/kubevirt.io/v1/namespaces/harvester-system/kubevirts/kubevirt',
    )) as {
      spec?: { configuration?: { migrations?: Record<string, unknown> } };
    };
    return cr.spec?.configuration?.migrations;
  }

  async createNamespace(prefix: string): Promise<string> {
    const ns = (await this.http.request('create a namespace', 'POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: `${prefix}-` } },
    })) as { metadata: { name: string } };
    return ns.metadata.name;
  }

  /** Creates a migration and gives it a phase (the status subresource, as virt-controller writes it). */
  async createMigration(namespace: string, name: string, phase: string): Promise<void> {
    await this.http.request('create a migration', 'POST', migrationsPath(namespace), {
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstanceMigration',
        metadata: { name },
        spec: { vmiName: name },
      },
    });
    await this.setPhase(namespace, name, phase);
  }

  async setPhase(namespace: string, name: string, phase: string): Promise<void> {
    await this.http.request('set a migration phase', 'PATCH', `${migrationsPath(namespace)}/${name}/status`, {
      body: { status: { phase } },
      contentType: 'application/merge-patch+json',
    });
  }

  async deleteMigration(namespace: string, name: string): Promise<void> {
    await this.http.request('delete a migration', 'DELETE', `${migrationsPath(namespace)}/${name}`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fault scenario's own cluster: a control plane (seeded), an admin client, a folder for the apps'
 * logs, and the apps it started, all stopped by `stop()`.
 */
export class FaultCluster {
  private readonly apps: ManagedProcess[] = [];

  private constructor(
    private readonly root: string,
    readonly cp: ControlPlane,
    readonly client: FaultClient,
    readonly logs: ReturnType<typeof faultLogs>,
  ) {}

  static async start(root: string, apiserverArgs: readonly string[] = []): Promise<FaultCluster> {
    const logs = faultLogs();
    const cp = await startControlPlane({ repoRoot: root, log: quietLog, apiserverArgs });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, quietLog);
    return new FaultCluster(root, cp, new FaultClient(cp.kubeconfig), logs);
  }

  /** The webhook, serving the control plane's certificate files, registered by URL. */
  async webhook(log = 'webhook.log', env?: NodeJS.ProcessEnv): Promise<ManagedProcess> {
    const { kubeconfig, pki } = this.cp;
    const files = { kubeconfig, certFile: pki.webhookCert, keyFile: pki.webhookKey, caFile: pki.caCert };
    return this.track(await startWebhook(this.root, files, join(this.logs.dir, log), { env }));
  }

  /** A controller replica (leader election on). */
  async controller(
    log: string,
    args: readonly string[] = [],
    env?: NodeJS.ProcessEnv,
  ): Promise<Awaited<ReturnType<typeof startController>>> {
    return this.track(await startController(this.root, this.cp.kubeconfig, join(this.logs.dir, log), { args, env }));
  }

  /** The environment the chart gives an app (its default NODE_OPTIONS and MALLOC_ARENA_MAX), over this process's. */
  chartEnv(app: 'controller' | 'webhook'): NodeJS.ProcessEnv {
    return { ...process.env, ...chartEnvironment(this.root, app) };
  }

  /** Stops `p` with the cluster. */
  track<P extends ManagedProcess>(p: P): P {
    this.apps.push(p);
    return p;
  }

  async stop(): Promise<void> {
    for (const app of this.apps.reverse()) await app.stop();
    await this.cp.stop();
    this.logs.remove();
  }
}
