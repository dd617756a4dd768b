import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

import { ensureNodeBinaries, type NodeBinaries } from '../binaries.js';
import type { ControlPlane, NodeAddresses } from '../control-plane.js';
import { type Log, seconds } from '../log.js';
import { freePort } from '../ports.js';
import { ManagedProcess } from '../process.js';
import { NODE_NAME, NODE_NETWORK } from './addresses.js';
import { cniConfig, containerdConfig, kubeletConfig, type NodeLayout, nodeLayout } from './config.js';
import { createCgroupRoot, existingHostPaths, readSysctls } from './host-state.js';
import { createNetwork, guardDrops } from './network.js';
import { type NodeRecord, writeNodeRecord } from './record.js';
import { removeNodeLeftovers, tearDownNode } from './teardown.js';

const run = promisify(execFile);

/** What the API server needs to serve a node's pods (its listening address, the Service range). */
export const NODE_ADDRESSES: NodeAddresses = {
  address: NODE_NETWORK.nodeAddress,
  serviceRange: NODE_NETWORK.services,
  kubernetesServiceIp: NODE_NETWORK.kubernetesServiceIp,
};

const SANDBOX_IMAGE = 'localhost/kubevirt-migration/pause:local';

/** The host made ready for a node: its binaries built, its network and cgroup root made, all recorded. */
export interface NodeHost {
  readonly bins: NodeBinaries;
  readonly layout: NodeLayout;
  readonly record: NodeRecord;
  /** Undoes everything (for a start that fails before the node runs). */
  readonly tearDown: () => Promise<void>;
}

/**
 * Builds the node's binaries (first time only), removes what a killed run left, records the host's
 * state, then makes the bridge, the guard and the pods' cgroup root. Needs root.
 */
export const prepareNodeHost = async (repoRoot: string, log: Log): Promise<NodeHost> => {
  if (process.getuid?.() !== 0)
    throw new Error('a local node needs root (it makes a bridge, nftables tables, mounts and cgroups)');
  const bins = await ensureNodeBinaries(repoRoot, log);
  await removeNodeLeftovers(log);
  const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-node-'));
  const layout = nodeLayout(dir);
  const record: NodeRecord = {
    pid: process.pid,
    dir,
    sysctls: readSysctls(),
    hostPathsBefore: existingHostPaths(),
    containerdSocket: layout.containerdSocket,
    shimBinary: join(bins.dir, 'containerd-shim-runc-v2'),
  };
  writeNodeRecord(record);
  const tearDown = () => tearDownNode(record, log);
  try {
    createNetwork();
    createCgroupRoot();
  } catch (e) {
    await tearDown();
    throw e;
  }
  log(
    `node network ready: bridge ${NODE_NETWORK.bridge} ${NODE_NETWORK.nodeAddress}, pods ${NODE_NETWORK.pods}, Services ${NODE_NETWORK.services}, guard on`,
  );
  return { bins, layout, record, tearDown };
};

/** A running node: containerd, the kubelet, kube-proxy, and the controller manager and scheduler of its control plane. */
export interface LocalNode {
  readonly name: string;
  readonly dir: string;
  readonly containerdSocket: string;
  /** Packets the guard dropped (0 while everything keeps to the node's bridge). */
  readonly guardDrops: () => number;
  /** Imports an OCI image archive into the node's containerd (the namespace the kubelet uses). */
  readonly importImage: (archive: string) => Promise<void>;
  /** Calls `cb` with a crash report if one of the node's processes dies on its own. */
  readonly onCrash: (cb: (report: string) => void) => void;
  readonly stop: () => Promise<void>;
}

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const nodeReady = async (kubeconfig: string): Promise<boolean> => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const node = await kc.makeApiClient(CoreV1Api).readNode({ name: NODE_NAME });
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
};

/** What starting the node's processes needs: its binaries and folders, a launcher that tracks each process, and `ctr`. */
interface NodeStart {
  readonly bins: NodeHost['bins'];
  readonly layout: NodeHost['layout'];
  readonly launch: (name: string, binary: string, args: readonly string[], env?: NodeJS.ProcessEnv) => ManagedProcess;
  readonly ctr: (args: readonly string[]) => Promise<string>;
  readonly importImage: (archive: string) => Promise<void>;
}

/** containerd, with the sandbox image imported. */
const startContainerd = async (
  { bins, layout, launch, ctr, importImage }: NodeStart,
  repoRoot: string,
  log: Log,
): Promise<void> => {
  const { dir } = layout;
  for (const sub of ['containerd', 'cni/net.d', 'cni/ipam', 'pod-logs', 'kubelet'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'containerd', 'config.toml'), containerdConfig(layout, bins, SANDBOX_IMAGE));
  writeFileSync(join(layout.cniConfDir, '10-kubevirt-migration.conflist'), cniConfig(layout));
  const containerd = launch('containerd', bins.containerd, ['--config', join(dir, 'containerd', 'config.toml')], {
    ...process.env,
    // containerd finds its runc shim on PATH
    PATH: `${bins.dir}:${process.env['PATH'] ?? ''}`,
  });
  await containerd.waitReady(async () => (await ctr(['version'])) !== '', 60000);
  const pause = join(dir, 'pause.oci.tar');
  await run(process.execPath, [
    join(repoRoot, 'tools', 'image.mjs'),
    '--pause',
    bins.pause,
    '--name',
    SANDBOX_IMAGE,
    '--output',
    pause,
  ]);
  await importImage(pause);
  log(`containerd ready (pid ${containerd.pid}), sandbox image ${SANDBOX_IMAGE} imported`);
};

/** The kubelet, once its /healthz answers. */
const startKubelet = async ({ bins, layout, launch }: NodeStart, cp: ControlPlane): Promise<ManagedProcess> => {
  const ports = { api: await freePort(), healthz: await freePort() };
  writeFileSync(join(layout.dir, 'kubelet.json'), kubeletConfig(layout, ports, cp.pki.caCert));
  const kubelet = launch('kubelet', bins.kubelet, [
    `--config=${join(layout.dir, 'kubelet.json')}`,
    `--kubeconfig=${cp.kubeconfig}`,
    `--root-dir=${layout.kubeletDir}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_NETWORK.nodeAddress}`,
    '--v=1',
  ]);
  await kubelet.waitReady(async () => (await fetch(`http://127.0.0.1:${ports.healthz}/healthz`)).ok, 60000);
  return kubelet;
};

/** The controller manager, the scheduler and kube-proxy. */
const startControllers = async ({ bins, launch }: NodeStart, cp: ControlPlane): Promise<void> => {
  // one of each, as the admin, serving nothing (no port of theirs is opened)
  const controlPlaneClient = [
    `--kubeconfig=${cp.kubeconfig}`,
    `--authentication-kubeconfig=${cp.kubeconfig}`,
    `--authorization-kubeconfig=${cp.kubeconfig}`,
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--leader-elect=false',
    '--v=1',
  ];
  launch('kube-controller-manager', bins.kubeControllerManager, [
    ...controlPlaneClient,
    `--root-ca-file=${cp.pki.caCert}`,
    `--service-account-private-key-file=${cp.pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${NODE_NETWORK.services}`,
  ]);
  launch('kube-scheduler', bins.kubeScheduler, controlPlaneClient);
  launch('kube-proxy', bins.kubeProxy, [
    `--kubeconfig=${cp.kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    '--proxy-mode=nftables',
    `--cluster-cidr=${NODE_NETWORK.pods}`,
    `--nodeport-addresses=${NODE_NETWORK.nodeAddress}/32`,
    `--metrics-bind-address=127.0.0.1:${await freePort()}`,
    `--healthz-bind-address=127.0.0.1:${await freePort()}`,
    // leave the host's conntrack settings alone
    '--conntrack-max-per-core=0',
    '--conntrack-tcp-timeout-established=0',
    '--conntrack-tcp-timeout-close-wait=0',
    '--v=1',
  ]);
};

/** Starts containerd (with the sandbox image), the kubelet, kube-proxy, the controller manager and the scheduler; resolves once the node is Ready. */
export const startNode = async (repoRoot: string, host: NodeHost, cp: ControlPlane, log: Log): Promise<LocalNode> => {
  const started = performance.now();
  const { bins, layout } = host;
  const { dir } = layout;
  const procs: ManagedProcess[] = [];
  const crashHandlers: ((report: string) => void)[] = [];
  const stop = async (): Promise<void> => {
    for (const p of procs.splice(0).reverse()) await p.stop();
    await host.tearDown();
  };
  const launch = (name: string, binary: string, args: readonly string[], env?: NodeJS.ProcessEnv): ManagedProcess => {
    const p = new ManagedProcess(name, [binary, ...args], join(dir, `${name}.log`), env === undefined ? {} : { env });
    procs.push(p);
    p.onUnexpectedExit((report) => crashHandlers.forEach((cb) => cb(report)));
    return p;
  };
  const ctr = async (args: readonly string[]): Promise<string> =>
    (await run(bins.ctr, ['--address', layout.containerdSocket, '--namespace', 'k8s.io', ...args])).stdout;
  const importImage = async (archive: string): Promise<void> => {
    await ctr(['images', 'import', '--platform', 'linux/amd64', archive]);
  };
  const node: NodeStart = { bins, layout, launch, ctr, importImage };
  try {
    await startContainerd(node, repoRoot, log);
    const kubelet = await startKubelet(node, cp);
    await startControllers(node, cp);
    await waitFor(`node ${NODE_NAME}`, () => nodeReady(cp.kubeconfig), 120000);
    log(`node ${NODE_NAME} Ready (kubelet pid ${kubelet.pid}) in ${seconds(started)}; its files and logs: ${dir}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: NODE_NAME,
    dir,
    containerdSocket: layout.containerdSocket,
    guardDrops,
    importImage,
    onCrash: (cb) => crashHandlers.push(cb),
    stop,
  };
};
