import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { fromClientNode, judgeProbe, PROBE_VALUE, SETTINGS } from '@kubevirt-migration/k8s-adapter';
import { SETTING_NAME } from '@kubevirt-migration/migration-policy';
import { parse as parseYaml } from 'yaml';

import { freePort } from './ports.js';
import { ManagedProcess } from './process.js';
import { kubevirtCrdFile } from './seed.js';

/**
 * Node's flags for the apps: with KUBEVIRT_MIGRATION_PROFILE_DIR set (`npm run bench`, by hand),
 * each app writes a CPU profile there when it stops (Node refuses --cpu-prof in NODE_OPTIONS).
 */
const nodeFlags = (): string[] => {
  const dir = process.env['KUBEVIRT_MIGRATION_PROFILE_DIR'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
};

/**
 * The environment the Helm chart gives an app by default (deploy/kubevirt-migration/values.yaml:
 * NODE_OPTIONS, MALLOC_ARENA_MAX), so that benchmarks and the soak run the apps as deployed.
 */
export const chartEnvironment = (repoRoot: string, app: 'controller' | 'webhook'): Record<string, string> => {
  const values = parseYaml(
    readFileSync(join(repoRoot, 'deploy', 'kubevirt-migration', 'values.yaml'), 'utf8'),
  ) as Record<string, { nodeOptions?: string; mallocArenaMax?: number } | undefined>;
  const v = values[app] ?? {};
  return {
    ...(v.nodeOptions ? { NODE_OPTIONS: v.nodeOptions } : {}),
    ...(v.mallocArenaMax ? { MALLOC_ARENA_MAX: String(v.mallocArenaMax) } : {}),
  };
};

/** The bundled program of an app (built by `npm ci` or `npm run build`). */
const appProgram = (repoRoot: string, app: 'webhook' | 'controller' | 'settings-page'): string => {
  const program = join(repoRoot, 'apps', app, 'dist', 'main.js');
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\``);
  return program;
};

export interface WebhookFiles {
  readonly kubeconfig: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** What a test or a benchmark adds to a program it starts: flags after the harness's own, and its environment. */
interface AppOptions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Starts the webhook on a free loopback port, registered with the API server (it removes its
 * registration when stopped), and resolves once the API server really calls it.
 */
export const startWebhook = async (
  repoRoot: string,
  files: WebhookFiles,
  logFile: string,
  { args: extraArgs = [], env }: AppOptions = {},
): Promise<ManagedProcess> => {
  const proc = new ManagedProcess(
    'webhook',
    [
      process.execPath,
      ...nodeFlags(),
      appProgram(repoRoot, 'webhook'),
      `--kubeconfig=${files.kubeconfig}`,
      `--cert-file=${files.certFile}`,
      `--key-file=${files.keyFile}`,
      '--port=0',
      '--register-url=https://127.0.0.1:{port}/validate',
      `--ca-file=${files.caFile}`,
      ...extraArgs,
    ],
    logFile,
    env === undefined ? {} : { env },
  );
  const kc = new KubeConfig();
  kc.loadFromFile(files.kubeconfig);
  await proc.waitReady(() => webhookAnswers(kc), 60000);
  return proc;
};

/**
 * True when the adapter's webhook probe (a server-side dry run of a value the webhook always refuses)
 * is denied by the webhook itself: registration alone does not prove that the API server reaches it.
 */
export const webhookAnswers = async (
  kc: KubeConfig,
  registration = 'kubevirt-migration.harvesterhci.io',
): Promise<boolean> => {
  const api = kc.makeApiClient(CustomObjectsApi);
  try {
    await api.patchClusterCustomObject({
      ...SETTINGS,
      name: SETTING_NAME,
      body: [{ op: 'add', path: '/value', value: PROBE_VALUE }],
      dryRun: 'All',
    });
    return judgeProbe(registration, { accepted: true }).outcome === 'answered';
  } catch (e) {
    return judgeProbe(registration, { error: fromClientNode(e, 'dry run') }).outcome === 'answered';
  }
};

/** Starts a controller replica; resolves once its caches have synced (/readyz answers 200). */
export const startController = async (
  repoRoot: string,
  kubeconfig: string,
  logFile: string,
  { args: extraArgs = [], env }: AppOptions = {},
): Promise<ManagedProcess & { readonly probePort: number }> => {
  const probePort = await freePort();
  const proc = new ManagedProcess(
    'controller',
    [
      process.execPath,
      ...nodeFlags(),
      appProgram(repoRoot, 'controller'),
      `--kubeconfig=${kubeconfig}`,
      `--probe-port=${probePort}`,
      ...extraArgs,
    ],
    logFile,
    env === undefined ? {} : { env },
  );
  await proc.waitReady(async () => (await fetch(`http://127.0.0.1:${probePort}/readyz`)).status === 200, 60000);
  return Object.assign(proc, { probePort });
};

/**
 * Starts the settings page's server on a loopback port (a free one unless given), with the options
 * and help of the KubeVirt CRD the control plane installs; resolves once it serves the page.
 */
export const startSettingsPage = async (
  repoRoot: string,
  logFile: string,
  port = 0,
): Promise<ManagedProcess & { readonly url: string }> => {
  const chosen = port === 0 ? await freePort() : port;
  const url = `http://127.0.0.1:${chosen}/`;
  const proc = new ManagedProcess(
    'settings page',
    [
      process.execPath,
      appProgram(repoRoot, 'settings-page'),
      `--port=${chosen}`,
      `--kubevirt-crd=${kubevirtCrdFile(repoRoot)}`,
    ],
    logFile,
  );
  await proc.waitReady(async () => (await fetch(url)).status === 200, 30000);
  return Object.assign(proc, { url });
};
