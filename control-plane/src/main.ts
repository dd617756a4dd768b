import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { KubeConfig } from '@kubernetes/client-node';
import { loadConnection } from '@kubevirt-migration/k8s-adapter';
import { errorMessage, type FlagValues, runMain } from '@kubevirt-migration/service';

import { startController, startSettingsPage, startWebhook } from './apps.js';
import { type ControlPlane, startControlPlane } from './control-plane.js';
import { removeLeftovers, runRecord } from './leftovers.js';
import { seconds, stderrLog } from './log.js';
import { type LocalNode, NODE_ADDRESSES, type NodeHost, prepareNodeHost, startNode } from './node/node.js';
import { installRelease, loadAppImage, RELEASE } from './node/release.js';
import type { ManagedProcess } from './process.js';
import { seed } from './seed.js';

/**
 * `npm start`: with no kubeconfig given, brings up the local control plane and seeds it; then
 * prints one line `KUBECONFIG=<absolute path>` and example commands, and runs until SIGINT or
 * SIGTERM, when it stops everything it started. With --kubeconfig, uses that cluster instead.
 */
const FLAGS = {
  kubeconfig: {
    type: 'string',
    help: 'use this cluster instead of starting a local control plane',
    placeholder: 'FILE',
  },
  'control-plane-only': { type: 'boolean', default: false, help: 'start no apps (what the cluster tests use)' },
  node: {
    type: 'boolean',
    default: false,
    help: 'also run a local node (containerd, kubelet, kube-proxy; needs root) and install the chart on it with its defaults, from the image tools/image.mjs builds',
  },
  'page-port': { type: 'port', default: 0, help: 'serve the settings page on this loopback port (0 picks a free one)' },
  'exit-with-stdin': {
    type: 'boolean',
    default: false,
    help: 'also stop when standard input closes (for a parent process)',
  },
} as const;

type Flags = FlagValues<typeof FLAGS>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What this run started, stopped in reverse order: apps first, then the node, then the control plane. */
interface Started {
  cp: ControlPlane | undefined;
  /** The host made ready for a node (its network), and the node once it runs. */
  nodeHost: NodeHost | undefined;
  node: LocalNode | undefined;
  readonly apps: ManagedProcess[];
}

type Stop = (code: number, why: string) => Promise<void>;

/** Set as soon as something was started: a failure later stops it too, never leaving orphans. */
let shutdown: Stop | undefined;

const stopper = (started: Started): Stop => {
  let stopping = false;
  return async (code, why) => {
    if (stopping) return;
    stopping = true;
    stderrLog(`${why}: stopping`);
    // apps first: the webhook removes its registration, which would otherwise block the Setting
    for (const app of started.apps.reverse()) await app.stop();
    // the node before the control plane: the kubelet and containerd stop while the API server still answers
    await (started.node?.stop() ?? started.nodeHost?.tearDown());
    await started.cp?.stop();
    runRecord.finish();
    stderrLog('stopped');
    process.exit(code);
  };
};

/** Anything this started dying on its own: report it with its last log lines, stop the rest. */
const onCrash =
  (stop: Stop, what: string) =>
  (report: string): void => {
    stderrLog(report);
    void stop(1, `${what} died`);
  };

const stopOnSignals = (stop: Stop, withStdin: boolean): void => {
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  if (!withStdin) return;
  process.stdin.on('end', () => void stop(0, 'standard input closed'));
  process.stdin.on('error', () => void stop(0, 'standard input closed'));
  process.stdin.resume();
};

/** The cluster of --kubeconfig, checked to be readable. */
const givenCluster = (file: string): string => {
  const kubeconfig = resolve(file);
  try {
    stderrLog(`using the cluster of ${kubeconfig}: ${loadConnection({ kubeconfig }).server}`);
  } catch (e) {
    stderrLog(errorMessage(e));
    process.exit(2);
  }
  return kubeconfig;
};

/** The local control plane (on a node's bridge with --node), started and seeded; gives its kubeconfig. */
const localCluster = async (started: Started, stop: Stop, withNode: boolean): Promise<string> => {
  removeLeftovers(stderrLog);
  if (withNode) started.nodeHost = await prepareNodeHost(repoRoot, stderrLog);
  const cp = await startControlPlane({ repoRoot, log: stderrLog, ...(withNode ? { node: NODE_ADDRESSES } : {}) });
  started.cp = cp;
  cp.onCrash(onCrash(stop, 'a control-plane process'));
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  await seed(kc, repoRoot, stderrLog);
  return cp.kubeconfig;
};

/** The node on `host`, joined to `cp`, and unless `nodeOnly` the chart installed on it from the image built here. */
const startNodeAndRelease = async (
  { cp, host }: { readonly cp: ControlPlane; readonly host: NodeHost },
  started: Started,
  stop: Stop,
  nodeOnly: boolean,
): Promise<void> => {
  const node = await startNode(repoRoot, host, cp, stderrLog);
  started.node = node;
  node.onCrash(onCrash(stop, 'a node process'));
  if (nodeOnly) return;
  await loadAppImage(repoRoot, node, stderrLog);
  await installRelease(repoRoot, cp.kubeconfig, stderrLog);
};

/** The webhook (registered with the control plane's PKI) and the controller. */
const startApps = async (cp: ControlPlane, kubeconfig: string, started: Started, stop: Stop): Promise<void> => {
  const begun = performance.now();
  const webhookLog = join(cp.dir, 'webhook.log');
  const webhook = await startWebhook(
    repoRoot,
    { kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
    webhookLog,
  );
  started.apps.push(webhook);
  webhook.onUnexpectedExit(onCrash(stop, 'the webhook'));
  stderrLog(`webhook registered and answering (pid ${webhook.pid}) in ${seconds(begun)}; log: ${webhookLog}`);
  const controllerLog = join(cp.dir, 'controller.log');
  const controller = await startController(repoRoot, kubeconfig, controllerLog);
  started.apps.push(controller);
  controller.onUnexpectedExit(onCrash(stop, 'the controller'));
  stderrLog(
    `controller running (pid ${controller.pid}, probes on http://127.0.0.1:${controller.probePort}); log: ${controllerLog}`,
  );
};

/** The settings page; gives its URL. */
const startPage = async (port: number, started: Started, stop: Stop): Promise<string> => {
  const pageLog =
    started.cp === undefined
      ? join(tmpdir(), `kubevirt-migration-settings-page-${process.pid}.log`)
      : join(started.cp.dir, 'settings-page.log');
  const page = await startSettingsPage(repoRoot, pageLog, port);
  started.apps.push(page);
  page.onUnexpectedExit(onCrash(stop, 'the settings page'));
  stderrLog(`settings page serving (pid ${page.pid}) on ${page.url}; log: ${pageLog}`);
  return page.url;
};

/** What to try with the release on the node. */
const releaseHints = (node: LocalNode): string[] => [
  `#   kubectl -n ${RELEASE.namespace} get pods -o wide      # the chart's four pods on node ${node.name}`,
  `#   kubectl -n ${RELEASE.namespace} logs deployment/${RELEASE.name}-webhook`,
  `#   kubectl get validatingwebhookconfigurations ${RELEASE.name}.harvesterhci.io -o yaml   # called through its Service`,
];

/** The one line a user copies, and what to try next. */
const printNext = (kubeconfig: string, pageUrl: string | undefined, node?: LocalNode): void => {
  process.stdout.write(
    [
      `KUBECONFIG=${kubeconfig}`,
      '# In another shell, from the repository root (export the line above first):',
      '#   kubectl get settings.harvesterhci.io kubevirt-migration -o yaml',
      '#   npx kubevirt-migration diff',
      `#   npx kubevirt-migration validate --new examples/setting.yaml --kubeconfig "$KUBECONFIG"`,
      `#   kubectl patch settings.harvesterhci.io kubevirt-migration --type merge -p '{"value":"{\\"parallelMigrationsPerCluster\\":3}"}'`,
      ...(node === undefined ? [] : releaseHints(node)),
      ...(pageUrl === undefined
        ? []
        : [`# The settings page (the policy library checking a form as you type): ${pageUrl}`]),
      '# Ctrl-C stops everything this started.',
      '',
    ].join('\n'),
  );
};

const main = async (f: Flags): Promise<void> => {
  if (f.node && f.kubeconfig !== undefined) {
    stderrLog('--node starts a cluster of its own; it does not take --kubeconfig');
    process.exit(2);
  }
  const started: Started = { cp: undefined, nodeHost: undefined, node: undefined, apps: [] };
  const stop = stopper(started);
  shutdown = stop;
  stopOnSignals(stop, f['exit-with-stdin']);
  const kubeconfig =
    f.kubeconfig !== undefined ? givenCluster(f.kubeconfig) : await localCluster(started, stop, f.node);
  if (started.cp !== undefined && started.nodeHost !== undefined) {
    await startNodeAndRelease({ cp: started.cp, host: started.nodeHost }, started, stop, f['control-plane-only']);
    // the release runs the webhook and the controller: no host process of them
    if (f['control-plane-only']) return printNext(kubeconfig, undefined);
    return printNext(kubeconfig, await startPage(f['page-port'], started, stop), started.node);
  }
  if (f['control-plane-only']) return printNext(kubeconfig, undefined);
  if (started.cp === undefined)
    stderrLog(
      'with --kubeconfig only the control-plane tools run: the apps need a serving certificate the API server trusts (see README)',
    );
  else await startApps(started.cp, kubeconfig, started, stop);
  printNext(kubeconfig, await startPage(f['page-port'], started, stop));
};

const fail = (e: unknown): void => {
  stderrLog(`failed: ${errorMessage(e)}`);
  if (shutdown === undefined) process.exit(1);
  else void shutdown(1, 'failure');
};
process.on('uncaughtException', fail);
runMain({
  command: 'npm start',
  summary:
    'Starts the local control plane (or uses --kubeconfig; with --node a node and the chart too), the webhook, the controller and the settings page.',
  flags: FLAGS,
  main: (f) => main(f).catch(fail),
});
