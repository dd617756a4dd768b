import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Log } from './log.js';

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly helm: string;
  /** Their folder; the extra tools asked for (`promtool`, `hey`) are there too. */
  readonly dir: string;
}

/** Runs a build script of control-plane/scripts with its arguments, relaying its progress; resolves to the binary folder it prints last. */
const runBuildScript = (repoRoot: string, name: string, log: Log, args: readonly string[] = []): Promise<string> =>
  new Promise((resolve, reject) => {
    const script = join(repoRoot, 'control-plane', 'scripts', name);
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split('\n'))
        if (line.startsWith('[control-plane build]')) log(line.replace('[control-plane build] ', ''));
    });
    child.on('error', (e) => reject(new Error(`cannot run ${script}: ${e.message}`)));
    // 'close', not 'exit': the exit can come before the last of stdout (the folder's path) is read
    child.on('close', (code) => {
      const dir = out.trim().split('\n').pop() ?? '';
      if (code === 0 && dir !== '') resolve(dir);
      else reject(new Error(`${name} failed (exit ${code}):\n${err.split('\n').slice(-25).join('\n')}`));
    });
  });

/** The binaries in `dir` named by `names`, or an error naming the ones the script did not leave. */
const present = <K extends string>(dir: string, names: Record<K, string>): Record<K, string> => {
  const paths = Object.fromEntries(
    Object.entries<string>(names).map(([key, file]) => [key, join(dir, file)]),
  ) as Record<K, string>;
  const missing = Object.values<string>(paths).filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`the build left no ${missing.join(', ')}`);
  return paths;
};

/**
 * The binaries (etcd, kube-apiserver, Helm), built from the Go module proxy on first use by control-plane/scripts/build-binaries.sh
 * (cached under ~/.cache/kubevirt-migration/bin, never in the repository), and the extra tools named by `extras` (`promtool`, `hey`,
 * ...; the script's own names), which are left in `dir`. Progress goes to stderr.
 */
export const ensureBinaries = async (repoRoot: string, log: Log, extras: readonly string[] = []): Promise<Binaries> => {
  const dir = await runBuildScript(repoRoot, 'build-binaries.sh', log, extras);
  return { ...present(dir, { etcd: 'etcd', kubeApiserver: 'kube-apiserver', helm: 'helm' }), dir };
};

/** What a local node runs (control-plane/scripts/build-node.sh); `cniDir` holds the CNI plugins. */
export interface NodeBinaries {
  readonly kubelet: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubeProxy: string;
  readonly containerd: string;
  readonly ctr: string;
  readonly runc: string;
  readonly pause: string;
  readonly cniDir: string;
  /** The folder of them all (containerd finds its shim on PATH there). */
  readonly dir: string;
}

export const ensureNodeBinaries = async (repoRoot: string, log: Log): Promise<NodeBinaries> => {
  const dir = await runBuildScript(repoRoot, 'build-node.sh', log);
  const bins = present(dir, {
    kubelet: 'kubelet',
    kubeControllerManager: 'kube-controller-manager',
    kubeScheduler: 'kube-scheduler',
    kubeProxy: 'kube-proxy',
    containerd: 'containerd',
    ctr: 'ctr',
    runc: 'runc',
    pause: 'pause',
    shim: 'containerd-shim-runc-v2',
    bridge: 'cni/bridge',
    hostLocal: 'cni/host-local',
    loopback: 'cni/loopback',
  });
  return { ...bins, cniDir: join(dir, 'cni'), dir };
};
