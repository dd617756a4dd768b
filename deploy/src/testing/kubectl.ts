import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { kubectlBinary, testKubeconfigPath } from '@kubevirt-migration/control-plane/testing';

/**
 * kubectl of the API server's version (built and cached by control-plane/scripts/build-binaries.sh,
 * never the machine's) against the test run's cluster, as README tells users to operate the
 * release, with an empty home of its own. A file calls `prepareKubectl` in its beforeAll and
 * `removeKubectlHome` in its afterAll.
 */
let home: string | undefined;
let binary: string | undefined;

/** Finds kubectl (the first time on a machine: builds it, about a minute with Go's cache warm). */
export const prepareKubectl = async (): Promise<void> => {
  binary = await kubectlBinary();
};
/** How long `prepareKubectl` may take: a build. */
export const PREPARE_KUBECTL_MS = 20 * 60 * 1000;

const kubectlPath = (): string => {
  if (binary === undefined) throw new Error('kubectl is not prepared: call prepareKubectl() in beforeAll');
  return binary;
};

/** What kubectl printed, and how it ended. */
export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const environment = (): NodeJS.ProcessEnv => {
  home ??= mkdtempSync(join(tmpdir(), 'kubevirt-migration-kubectl-'));
  return { PATH: process.env['PATH'] ?? '', KUBECONFIG: testKubeconfigPath(), HOME: home };
};

export const kubectl = (args: readonly string[], input?: string): Run => {
  const r = spawnSync(kubectlPath(), [...args], { encoding: 'utf8', input, env: environment(), timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

export const kubectlOk = (args: readonly string[], input?: string): string => {
  const r = kubectl(args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

export const kubectlJson = <T>(args: readonly string[]): T => JSON.parse(kubectlOk([...args, '-o', 'json'])) as T;

export const removeKubectlHome = (): void => {
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
  home = undefined;
};

/** Sets the Setting's value with kubectl (a merge patch), as an administrator would. */
export const setValue = (value: string): Run =>
  kubectl([
    'patch',
    'settings.harvesterhci.io',
    'kubevirt-migration',
    '--type',
    'merge',
    '-p',
    JSON.stringify({ value }),
  ]);

/** Removes the Setting's value with kubectl (a JSON patch): the Setting as seeded. */
export const clearValue = (): Run =>
  kubectl([
    'patch',
    'settings.harvesterhci.io',
    'kubevirt-migration',
    '--type',
    'json',
    '-p',
    '[{"op":"remove","path":"/value"}]',
  ]);

/** A kubectl that runs on (e.g. `kubectl drain`): what it printed so far, its end, and a stop (SIGTERM, by its PID). */
export interface RunningKubectl {
  readonly output: () => string;
  readonly ended: Promise<number | null>;
  readonly stop: () => void;
}

export const kubectlInBackground = (args: readonly string[]): RunningKubectl => {
  const child = spawn(kubectlPath(), [...args], { env: environment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    output: () => text,
    ended,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
};
