import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Binaries, ensureBinaries } from './binaries.js';
import { getAsAdmin } from './https-probe.js';
import { writeKubeconfig } from './kubeconfig.js';
import { runRecord } from './leftovers.js';
import { type Log, seconds } from './log.js';
import { auditArgs } from './node/audit.js';
import { createPki, type Pki } from './pki.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './process.js';

export interface ControlPlaneOptions {
  readonly repoRoot: string;
  readonly log: Log;
  /** More flags for kube-apiserver (the fault suite turns the watch cache off). */
  readonly apiserverArgs?: readonly string[];
  /** Serve a local node (control-plane/src/node): listen on its bridge's address instead of loopback. */
  readonly node?: NodeAddresses;
}

/**
 * Where a local node's pods reach the API server: `address` is the node bridge's (the API server
 * listens there, and publishes it as the `kubernetes` Service's endpoint), `serviceRange` the
 * Services' range, `kubernetesServiceIp` its first address (the `kubernetes` Service).
 */
export interface NodeAddresses {
  readonly address: string;
  readonly serviceRange: string;
  readonly kubernetesServiceIp: string;
}

/** A running etcd and kube-apiserver on loopback, and how to reach them. */
export interface ControlPlane {
  readonly kubeconfig: string;
  readonly server: string;
  readonly pki: Pki;
  readonly dir: string;
  /** etcd's client URL (the fault suite compacts its history). */
  readonly etcdUrl: string;
  readonly apiserverPid: () => number | undefined;
  readonly etcdPid: () => number | undefined;
  /** Stops and starts the API server on the same port (etcd keeps the data). */
  readonly restartApiserver: () => Promise<void>;
  /** Stops the API server only, for tests of a vanished API server. */
  readonly stopApiserver: () => Promise<void>;
  readonly startApiserver: () => Promise<void>;
  /** Calls `cb` with a crash report if etcd or kube-apiserver dies on its own. */
  readonly onCrash: (cb: (report: string) => void) => void;
  /** Stops everything it started, by PID, and removes its files. */
  readonly stop: () => Promise<void>;
}

const ATTEMPTS = 3;
const READY_TIMEOUT_MS = 60000;

const isPortClash = (p: ManagedProcess): boolean => /address already in use|bind: /i.test(p.lastLines(30));

/** Starts a process on fresh ports, retrying with new ports when one was taken meanwhile. */
const startWithPorts = async <T>(
  name: string,
  ports: number,
  start: (ports: number[]) => Promise<T & { proc: ManagedProcess }>,
  log: Log,
): Promise<T & { proc: ManagedProcess }> => {
  for (let attempt = 1; ; attempt++) {
    const picked = await Promise.all(Array.from({ length: ports }, () => freePort()));
    try {
      return await start(picked);
    } catch (e) {
      if (attempt >= ATTEMPTS) throw e;
      log(`${name}: ${String(e).split('\n')[0]}; retrying on other ports (attempt ${attempt + 1} of ${ATTEMPTS})`);
    }
  }
};

const startEtcd = (bins: Binaries, dir: string, dataDir: string, log: Log) =>
  startWithPorts(
    'etcd',
    2,
    async ([client, peer]) => {
      const url = `http://127.0.0.1:${client}`;
      const peerUrl = `http://127.0.0.1:${peer}`;
      const proc = new ManagedProcess(
        'etcd',
        [
          bins.etcd,
          '--name=local',
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${url}`,
          `--advertise-client-urls=${url}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=local=${peerUrl}`,
          '--listen-metrics-urls=',
          '--log-level=warn',
          '--unsafe-no-fsync',
        ],
        join(dir, 'etcd.log'),
      );
      try {
        await proc.waitReady(async () => (await fetch(`${url}/health`)).ok, READY_TIMEOUT_MS);
      } catch (e) {
        await proc.stop();
        if (isPortClash(proc)) throw new Error('etcd: port in use');
        throw e;
      }
      return { proc, url };
    },
    log,
  );

const apiserverArgs = (port: number, etcdUrl: string, pki: Pki, node: NodeAddresses | undefined): string[] => [
  `--etcd-servers=${etcdUrl}`,
  `--bind-address=${node?.address ?? '127.0.0.1'}`,
  `--secure-port=${port}`,
  `--advertise-address=${node?.address ?? '127.0.0.1'}`,
  ...(node === undefined
    ? ['--endpoint-reconciler-type=none', '--disable-admission-plugins=ServiceAccount']
    : [
        // the kubelet's serving certificate is its own self-signed one; the admin certificate lets the API server in (logs, exec)
        `--kubelet-client-certificate=${pki.adminCert}`,
        `--kubelet-client-key=${pki.adminKey}`,
        '--kubelet-preferred-address-types=InternalIP',
      ]),
  `--tls-cert-file=${pki.apiserverCert}`,
  `--tls-private-key-file=${pki.apiserverKey}`,
  `--client-ca-file=${pki.caCert}`,
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  `--service-account-key-file=${pki.serviceAccountPub}`,
  `--service-account-signing-key-file=${pki.serviceAccountKey}`,
  `--service-cluster-ip-range=${node?.serviceRange ?? '10.0.0.0/24'}`,
  '--authorization-mode=RBAC',
  '--profiling=false',
  '--v=1',
];

/** The control plane's folder and etcd's data folder (on /dev/shm when there is one), both recorded as leftovers until removed. */
const makeFolders = (): { readonly dir: string; readonly dataDir: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-cp-'));
  runRecord.path(dir);
  const shm = '/dev/shm';
  const dataDir = join(mkdtempSync(join(shmExists(shm) ? shm : dir, 'kubevirt-migration-etcd-')), 'data');
  runRecord.path(join(dataDir, '..'));
  return { dir, dataDir };
};

/** What every start of kube-apiserver is given. */
interface ApiserverLaunch {
  readonly binary: string;
  readonly dir: string;
  readonly etcdUrl: string;
  readonly pki: Pki;
  readonly node: NodeAddresses | undefined;
  readonly host: string;
  readonly extraArgs: readonly string[];
}

/** Starts kube-apiserver on `onPort` and waits for /readyz; a port taken in between fails as a port clash (to retry). */
const launchApiserver = async (l: ApiserverLaunch, onPort: number): Promise<ManagedProcess> => {
  const proc = new ManagedProcess(
    'kube-apiserver',
    [
      l.binary,
      ...apiserverArgs(onPort, l.etcdUrl, l.pki, l.node),
      ...(l.node === undefined ? [] : auditArgs(l.dir)),
      ...l.extraArgs,
    ],
    join(l.dir, 'kube-apiserver.log'),
  );
  try {
    await proc.waitReady(
      async () => (await getAsAdmin(l.pki, onPort, '/readyz', l.host)).status === 200,
      READY_TIMEOUT_MS,
    );
  } catch (e) {
    await proc.stop();
    if (isPortClash(proc)) throw new Error('kube-apiserver: port in use');
    throw e;
  }
  return proc;
};

type ApiserverControls = Pick<
  ControlPlane,
  'apiserverPid' | 'stopApiserver' | 'startApiserver' | 'restartApiserver' | 'onCrash'
>;

/** The running kube-apiserver (a new process after each start, on the same port) and the crash reports of it and etcd. */
const apiserverControls = (
  launch: () => Promise<ManagedProcess>,
  first: ManagedProcess,
  etcd: ManagedProcess,
): ApiserverControls => {
  let apiserver: ManagedProcess | undefined = first;
  const crashHandlers: ((report: string) => void)[] = [];
  const watch = (p: ManagedProcess) => p.onUnexpectedExit((report) => crashHandlers.forEach((cb) => cb(report)));
  watch(etcd);
  watch(first);
  const stopApiserver = async () => {
    await apiserver?.stop();
  };
  const startApiserver = async () => {
    apiserver = await launch();
    watch(apiserver);
  };
  return {
    apiserverPid: () => apiserver?.pid,
    stopApiserver,
    startApiserver,
    restartApiserver: async () => {
      await stopApiserver();
      await startApiserver();
    },
    onCrash: (cb) => crashHandlers.push(cb),
  };
};

/**
 * Brings up etcd (data on /dev/shm when there is one) and kube-apiserver on free loopback ports,
 * waits for /readyz, and writes an admin kubeconfig. A port taken in between is retried; a process
 * that dies is reported with its last log lines.
 */
export const startControlPlane = async ({
  repoRoot,
  log,
  apiserverArgs: extraArgs = [],
  node,
}: ControlPlaneOptions): Promise<ControlPlane> => {
  const bins = await ensureBinaries(repoRoot, log);
  const started = performance.now();
  const { dir, dataDir } = makeFolders();
  const pki = createPki(join(dir, 'pki'), node === undefined ? [] : [node.address, node.kubernetesServiceIp]);
  const host = node?.address ?? '127.0.0.1';
  const cleanup: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(bins, dir, dataDir, log);
    cleanup.push(() => etcd.proc.stop());
    log(`etcd ready on ${etcd.url} (pid ${etcd.proc.pid})`);

    const launch: ApiserverLaunch = { binary: bins.kubeApiserver, dir, etcdUrl: etcd.url, pki, node, host, extraArgs };
    const first = await startWithPorts(
      'kube-apiserver',
      1,
      async ([p]) => ({ proc: await launchApiserver(launch, p ?? 0), port: p ?? 0 }),
      log,
    );
    const apiserver = apiserverControls(() => launchApiserver(launch, first.port), first.proc, etcd.proc);
    cleanup.push(apiserver.stopApiserver);
    const server = `https://${host}:${first.port}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, server, pki);
    log(`kube-apiserver ready on ${server} (pid ${first.proc.pid}) in ${seconds(started)}`);
    return { kubeconfig, server, pki, dir, etcdUrl: etcd.url, etcdPid: () => etcd.proc.pid, ...apiserver, stop };
  } catch (e) {
    await stop();
    throw e;
  }
};

const shmExists = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
