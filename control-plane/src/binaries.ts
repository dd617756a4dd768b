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

/**
 * The binaries (etcd, kube-apiserver, Helm), built from the Go module proxy on first use by control-plane/scripts/build-binaries.sh
 * (cached under ~/.cache/kubevirt-migration/bin, never in the repository). Progress goes to stderr.
 */
export const ensureBinaries = (repoRoot: string, log: Log, extras: readonly string[] = []): Promise<Binaries> =>
  new Promise((resolve, reject) => {
    const script = join(repoRoot, 'control-plane', 'scripts', 'build-binaries.sh');
    const child = spawn('bash', [script, ...extras], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split('\n')) if (line.startsWith('[control-plane build]')) log(line.replace('[control-plane build] ', ''));
    });
    child.on('error', (e) => reject(new Error(`cannot run ${script}: ${e.message}`)));
    // 'close', not 'exit': the exit can come before the last of stdout (the folder's path) is read
    child.on('close', (code) => {
      const dir = out.trim().split('\n').pop() ?? '';
      const bins = { etcd: join(dir, 'etcd'), kubeApiserver: join(dir, 'kube-apiserver'), helm: join(dir, 'helm'), dir };
      if (code === 0 && existsSync(bins.etcd) && existsSync(bins.kubeApiserver) && existsSync(bins.helm)) resolve(bins);
      else reject(new Error(`building the control-plane binaries failed (exit ${code}):\n${err.split('\n').slice(-25).join('\n')}`));
    });
  });
