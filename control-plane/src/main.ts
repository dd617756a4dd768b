import { tmpdir } from 'node:os';
import { resolve, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { errorMessage, loadConnection } from '@kubevirt-migration/k8s-adapter';
import { removeLeftovers, runRecord } from './leftovers.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { seed } from './seed.js';
import { seconds, stderrLog } from './log.js';
import { startController, startSettingsPage, startWebhook } from './apps.js';
import type { ManagedProcess } from './process.js';
import { NODE_ADDRESSES, prepareNodeHost, startNode, type LocalNode, type NodeHost } from './node/node.js';
import { installRelease, loadAppImage, RELEASE } from './node/release.js';

/**
 * `npm start`: with no kubeconfig given, brings up the local control plane and seeds it; then
 * prints one line `KUBECONFIG=<absolute path>` and example commands, and runs until SIGINT or
 * SIGTERM, when it stops everything it started. With --kubeconfig, uses that cluster instead.
 */
const usage = `usage: npm start [-- --kubeconfig FILE] [--node] [--control-plane-only] [--page-port PORT] [--exit-with-stdin]
  --kubeconfig FILE      use this cluster instead of starting a local control plane
  --node                 also run a local node (containerd, kubelet, kube-proxy; needs root) and install
                         the chart on it with its defaults, from the image built by tools/image.mjs
  --control-plane-only   start no apps (what the cluster tests use)
  --page-port PORT       serve the settings page on this loopback port (default: a free one)
  --exit-with-stdin      also stop when standard input closes (for a parent process)`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Set as soon as something was started: a failure later stops it too, never leaving orphans. */
let shutdown: ((code: number, why: string) => Promise<void>) | undefined;

const main = async (): Promise<void> => {
  let args;
  try {
    args = parseArgs({
      options: {
        kubeconfig: { type: 'string' },
        'control-plane-only': { type: 'boolean', default: false },
        node: { type: 'boolean', default: false },
        'page-port': { type: 'string' },
        'exit-with-stdin': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`npm start: ${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const pagePortText = args['page-port'] ?? '0';
  const pagePort = /^[0-9]{1,5}$/.test(pagePortText) ? Number(pagePortText) : NaN;
  if (!(pagePort >= 0 && pagePort <= 65535)) {
    process.stderr.write(`npm start: --page-port ${JSON.stringify(pagePortText)} is not a port (0 to 65535)\n${usage}\n`);
    process.exit(2);
  }

  if (args.node && args.kubeconfig !== undefined) {
    process.stderr.write(`npm start: --node starts a cluster of its own; it does not take --kubeconfig\n${usage}\n`);
    process.exit(2);
  }

  let cp: ControlPlane | undefined;
  let nodeHost: NodeHost | undefined;
  let node: LocalNode | undefined;
  const apps: ManagedProcess[] = [];
  let stopping = false;
  const stop = async (code: number, why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stderrLog(`${why}: stopping`);
    // apps first: the webhook removes its registration, which would otherwise block the Setting
    for (const app of apps.reverse()) await app.stop();
    // the node before the control plane: the kubelet and containerd stop while the API server still answers
    await (node?.stop() ?? nodeHost?.tearDown());
    await cp?.stop();
    runRecord.finish();
    stderrLog('stopped');
    process.exit(code);
  };
  shutdown = stop;
  /** Anything this started dying on its own: report it with its last log lines, stop the rest. */
  const stopOnCrash = (what: string) => (report: string) => {
    stderrLog(report);
    void stop(1, `${what} died`);
  };
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  if (args['exit-with-stdin']) {
    process.stdin.on('end', () => void stop(0, 'standard input closed'));
    process.stdin.on('error', () => void stop(0, 'standard input closed'));
    process.stdin.resume();
  }

  let kubeconfig: string;
  if (args.kubeconfig !== undefined) {
    kubeconfig = resolve(args.kubeconfig);
    try {
      stderrLog(`using the cluster of ${kubeconfig}: ${loadConnection({ kubeconfig }).server}`);
    } catch (e) {
      stderrLog(errorMessage(e));
      process.exit(2);
    }
  } else {
    removeLeftovers(stderrLog);
    if (args.node) nodeHost = await prepareNodeHost(repoRoot, stderrLog);
    cp = await startControlPlane({ repoRoot, log: stderrLog, ...(args.node ? { node: NODE_ADDRESSES } : {}) });
    cp.onCrash(stopOnCrash('a control-plane process'));
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, repoRoot, stderrLog);
    kubeconfig = cp.kubeconfig;
    if (nodeHost !== undefined) {
      node = await startNode(repoRoot, nodeHost, cp, stderrLog);
      node.onCrash(stopOnCrash('a node process'));
      if (!args['control-plane-only']) {
        await loadAppImage(repoRoot, node, stderrLog);
        await installRelease(repoRoot, kubeconfig, stderrLog);
      }
    }
  }

  if (!args['control-plane-only'] && node === undefined) {
    if (cp === undefined) {
      stderrLog('with --kubeconfig only the control-plane tools run: the apps need a serving certificate the API server trusts (see README)');
    } else {
      const started = performance.now();
      const webhookLog = join(cp.dir, 'webhook.log');
      const webhook = await startWebhook(repoRoot, { kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert }, webhookLog);
      apps.push(webhook);
      webhook.onUnexpectedExit(stopOnCrash('the webhook'));
      stderrLog(`webhook registered and answering (pid ${webhook.pid}) in ${seconds(started)}; log: ${webhookLog}`);
      const controllerLog = join(cp.dir, 'controller.log');
      const controller = await startController(repoRoot, kubeconfig, controllerLog);
      apps.push(controller);
      controller.onUnexpectedExit(stopOnCrash('the controller'));
      stderrLog(`controller running (pid ${controller.pid}, probes on http://127.0.0.1:${controller.probePort}); log: ${controllerLog}`);
    }
  }

  let pageUrl: string | undefined;
  if (!args['control-plane-only']) {
    const pageLog = cp === undefined ? join(tmpdir(), `kubevirt-migration-settings-page-${process.pid}.log`) : join(cp.dir, 'settings-page.log');
    const page = await startSettingsPage(repoRoot, pageLog, pagePort);
    apps.push(page);
    page.onUnexpectedExit(stopOnCrash('the settings page'));
    pageUrl = page.url;
    stderrLog(`settings page serving (pid ${page.pid}) on ${page.url}; log: ${pageLog}`);
  }

  process.stdout.write(
    [
      `KUBECONFIG=${kubeconfig}`,
      '# In another shell, from the repository root (export the line above first):',
      '#   kubectl get settings.harvesterhci.io kubevirt-migration -o yaml',
      '#   npx kubevirt-migration diff',
      `#   npx kubevirt-migration validate --new examples/setting.yaml --kubeconfig "$KUBECONFIG"`,
      `#   kubectl patch settings.harvesterhci.io kubevirt-migration --type merge -p '{"value":"{\\"parallelMigrationsPerCluster\\":3}"}'`,
      ...(node === undefined || args['control-plane-only']
        ? []
        : [
            `#   kubectl -n ${RELEASE.namespace} get pods -o wide             # the chart's four pods on node ${node.name}`,
            `#   kubectl -n ${RELEASE.namespace} logs deployment/${RELEASE.name}-webhook`,
            `#   kubectl get validatingwebhookconfigurations ${RELEASE.name}.harvesterhci.io -o yaml   # called through its Service`,
          ]),
      ...(pageUrl === undefined ? [] : [`# The settings page (the policy library checking a form as you type): ${pageUrl}`]),
      '# Ctrl-C stops everything this started.',
      '',
    ].join('\n'),
  );
};

const fail = (e: unknown): void => {
  stderrLog(`failed: ${errorMessage(e)}`);
  if (shutdown === undefined) process.exit(1);
  else void shutdown(1, 'failure');
};
process.on('uncaughtException', fail);
main().catch(fail);
