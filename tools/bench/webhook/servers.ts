// The servers of the webhook benchmark, each started on 127.0.0.1 with the control plane's serving
// certificate: the floors (tools/bench/go-floor, tools/bench/floor.ts), the controller-runtime
// webhook (tools/bench/go-webhook, the anchor) and the project's webhook as the chart runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';

import { AdmissionregistrationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startWebhook } from '@kubevirt-migration/control-plane';

import { fmt } from '../stats.js';

/** The kubeconfig and the serving certificate, key and CA every server of the run uses. */
export type WebhookFiles = Parameters<typeof startWebhook>[1];

/** The benchmark's progress, on stderr (the figures go to stdout). */
export const progress = (message: string): void => {
  process.stderr.write(`[bench webhook] ${message}\n`);
};

export interface Server {
  readonly pid: number;
  readonly url: string;
  readonly stop: () => Promise<void>;
}

const stopped = (child: ChildProcess): (() => Promise<void>) => {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
};

/** Starts a program and resolves with its first line on stdout (its port, or "ready"). */
const startPrinting = (
  command: string,
  args: readonly string[],
  timeoutMs = 120000,
): Promise<{ child: ChildProcess; line: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${command} printed nothing within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
    child.stdout?.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve({ child, line: d.toString().trim() });
    });
  });

/** A floor: a program given CERT KEY that prints its port. */
export const startFloor = async (command: string, args: readonly string[], files: WebhookFiles): Promise<Server> => {
  const { child, line } = await startPrinting(command, [...args, files.certFile, files.keyFile]);
  return { pid: child.pid ?? 0, url: `https://127.0.0.1:${Number(line)}/validate`, stop: stopped(child) };
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** The controller-runtime webhook, once its informer cache has synced (it prints "ready"). */
export const startGoWebhook = async (binary: string, files: WebhookFiles): Promise<Server> => {
  const port = await freePort();
  const started = performance.now();
  const { child } = await startPrinting(binary, [files.kubeconfig, files.certFile, files.keyFile, String(port)]);
  progress(`controller-runtime webhook: cache synced in ${fmt((performance.now() - started) / 1000, 1)} s`);
  return { pid: child.pid ?? 0, url: `https://127.0.0.1:${port}/validate`, stop: stopped(child) };
};

export const get = (url: string, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request(url, { ca: readFileSync(ca) }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });

/** The series in which the webhook says that a change is checked against its cache alone. */
const FROM_CACHE = /^kubevirt_migration_webhook_migrations_from_cache 1$/m;

/** Waits (at most 90 s) until the webhook says it answers changes from its cache alone. */
const fromCacheAlone = async (metricsUrl: string, ca: string): Promise<number> => {
  const started = performance.now();
  for (;;) {
    if (FROM_CACHE.test(await get(metricsUrl, ca))) return (performance.now() - started) / 1000;
    if (performance.now() - started > 90000)
      throw new Error('the webhook did not come to answer from its cache alone within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
};

/** The project's webhook, registered with the API server, once it answers changes from its cache alone. */
export const startProjectWebhook = async (
  { root, files, kc }: { readonly root: string; readonly files: WebhookFiles; readonly kc: KubeConfig },
  log: string,
  env: NodeJS.ProcessEnv,
): Promise<Server> => {
  const webhook = await startWebhook(root, files, log, { env });
  const config = await kc
    .makeApiClient(AdmissionregistrationV1Api)
    .readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
  const url = config.webhooks?.[0]?.clientConfig.url ?? '';
  progress(
    'webhook registered and answering; waiting until it checks changes against its cache alone (its first 30 s read the API server)',
  );
  const waited = await fromCacheAlone(new URL('/metrics', url).href, files.caFile);
  progress(
    `webhook: kubevirt_migration_webhook_migrations_from_cache 1 after ${fmt(waited, 1)} s more: measuring it from now`,
  );
  return { pid: webhook.pid ?? 0, url, stop: () => webhook.stop() };
};
