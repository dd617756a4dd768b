import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ensureBinaries } from '../binaries.js';
import { type Log, seconds } from '../log.js';
import type { LocalNode } from './node.js';

const run = promisify(execFile);

export const RELEASE = { name: 'kubevirt-migration', namespace: 'kubevirt-migration' } as const;

/**
 * Builds the project's image with the recipe users run (`node tools/image.mjs`), into the node's
 * folder, and imports it into the node's containerd; gives its digest.
 */
export const loadAppImage = async (repoRoot: string, node: LocalNode, log: Log): Promise<string> => {
  const started = performance.now();
  const archive = join(node.dir, 'kubevirt-migration.oci.tar');
  const { stdout } = await run(process.execPath, [join(repoRoot, 'tools', 'image.mjs'), '--output', archive], {
    maxBuffer: 1024 * 1024,
  });
  await node.importImage(archive);
  const digest = stdout.trim();
  log(`image built and imported (${digest}) in ${seconds(started)}`);
  return digest;
};

/** Runs Helm (the project's build) with a home of its own against `kubeconfig`. */
const helm = async (repoRoot: string, kubeconfig: string, args: readonly string[], log: Log): Promise<string> => {
  const { helm: binary } = await ensureBinaries(repoRoot, log);
  const home = mkdtempSync(join(tmpdir(), 'kubevirt-migration-helm-'));
  try {
    const env = { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: kubeconfig };
    return (await run(binary, [...args], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
};

/** `helm install` of the chart with its defaults, as README's "Install on a cluster" does; waits until every pod is Ready. */
export const installRelease = async (repoRoot: string, kubeconfig: string, log: Log): Promise<void> => {
  const started = performance.now();
  await helm(
    repoRoot,
    kubeconfig,
    [
      'install',
      RELEASE.name,
      join(repoRoot, 'deploy', 'kubevirt-migration'),
      '--namespace',
      RELEASE.namespace,
      '--create-namespace',
      '--wait',
      '--timeout',
      '5m',
    ],
    log,
  );
  log(`helm release ${RELEASE.name} installed and Ready in ${seconds(started)}`);
};
