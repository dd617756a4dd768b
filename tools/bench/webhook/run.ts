// `npm run bench -- webhook`: what each server spends per admission, measured on the server's side
// (CPU time from /proc around a load of go-load), side by side in one run on one local control plane:
// the Go and Node floors, the controller-runtime webhook (the anchor a Go team would ship) and the
// project's webhook as the chart runs it (or as BENCH_WEBHOOK_ENV says). See BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { chartEnvironment, rssMiB, seed, startControlPlane, stderrLog } from '@kubevirt-migration/control-plane';

import { fmt } from '../stats.js';
import { writeCorpora } from './corpus.js';
import { type Figures, LOAD_CPU, type LoadSetup, measure, pin, PINNED, REQUESTS, SERVER_CPU } from './load.js';
import { report, type Row, targets } from './report.js';
import {
  progress,
  type Server,
  startFloor,
  startGoWebhook,
  startProjectWebhook,
  type WebhookFiles,
} from './servers.js';
import { cached, createFinishedMigrations, quietControlPlane, VMIMS } from './vmims.js';

const ANCHOR = 'Go controller-runtime webhook (the anchor)';
const SERVERS = (process.env['BENCH_SERVERS'] ?? 'go-floor,node-floor,go-webhook,webhook').split(',');

/** Each environment the project's webhook runs with: the chart's, or those of BENCH_WEBHOOK_ENV ("A=1 B=2;C=3"). */
const webhookEnvironments = (root: string): readonly Record<string, string>[] => {
  const given = process.env['BENCH_WEBHOOK_ENV'];
  if (given === undefined) return [chartEnvironment(root, 'webhook')];
  const parse = (text: string): Record<string, string> =>
    Object.fromEntries(
      text
        .trim()
        .split(/ (?=[A-Z_]+=)/)
        .filter((kv) => kv.includes('='))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  return given.split(';').map(parse);
};

/** Builds go-floor, go-load and go-webhook (cached); returns their folder. */
const buildGo = (root: string): string =>
  execFileSync('bash', [join(root, 'tools', 'bench', 'build-go.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop() ?? '';

interface Bench {
  readonly root: string;
  readonly bin: string;
  readonly files: WebhookFiles;
  readonly setup: LoadSetup;
  readonly kc: KubeConfig;
  readonly work: string;
  readonly rows: Row[];
}

const measured = (b: Bench, server: string, s: Server, vmims = '0'): Figures => {
  progress(
    `measuring ${server}, ${vmims} VMIMs cached: CPU on distinct then repeated reviews, then 3 × 10 s at the paced rate`,
  );
  const figures = measure(b.setup, s.pid, s.url);
  b.rows.push({ server, vmims, figures });
  progress(
    `${server}: ${fmt(figures.distinctUs, 1)} µs distinct, ${fmt(figures.repeatedUs, 1)} µs repeated, RSS ${fmt(figures.rss, 1)} MiB, p50/p99 ${fmt(figures.p50, 2)}/${fmt(figures.p99, 2)} ms, ${figures.errors} errors`,
  );
  return figures;
};

const floors = async (b: Bench): Promise<void> => {
  const run = async (name: string, command: string, args: readonly string[]): Promise<void> => {
    const s = await startFloor(command, args, b.files);
    measured(b, name, s);
    await s.stop();
  };
  if (SERVERS.includes('go-floor')) await run('Go net/http, fixed answer (floor)', join(b.bin, 'go-floor'), []);
  if (SERVERS.includes('node-floor'))
    await run('bare node:https, fixed answer (floor)', process.execPath, [join(b.root, '.bench', 'floor.js')]);
  // not in the default list: the floor that also runs JSON.parse on each body
  if (SERVERS.includes('node-parse'))
    await run('bare node:https, JSON.parse of the body', process.execPath, [
      join(b.root, '.bench', 'floor.js'),
      '--parse',
    ]);
};

const label = (env: Record<string, string>, root: string): string =>
  JSON.stringify(env) === JSON.stringify(chartEnvironment(root, 'webhook'))
    ? "webhook (the chart's settings)"
    : `webhook, ${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;

/** Measures the project's webhook in each environment; leaves the last one running. */
const projectWebhooks = async (b: Bench, running: Server[]): Promise<{ name: string; server: Server } | undefined> => {
  let last: { name: string; server: Server } | undefined;
  for (const env of webhookEnvironments(b.root)) {
    await last?.server.stop();
    const name = label(env, b.root);
    progress(`starting ${name}`);
    const server = await startProjectWebhook(b, join(b.work, 'webhook.log'), { ...process.env, ...env });
    running.push(server);
    progress(`webhook RSS at rest ${fmt(rssMiB(server.pid), 1)} MiB`);
    measured(b, name, server);
    last = { name, server };
  }
  return last;
};

/** With VMIMS finished VMIMs cached, both webhooks again. */
const withMigrations = async (
  b: Bench,
  goWebhook: Server | undefined,
  webhook: { name: string; server: Server },
  cp: { apiserverPid: () => number | undefined; etcdPid: () => number | undefined },
): Promise<void> => {
  const creating = performance.now();
  await createFinishedMigrations(b.kc, VMIMS);
  await cached(new URL('/metrics', webhook.server.url).href, b.files.caFile, VMIMS);
  progress(
    `created ${fmt(VMIMS)} finished VMIMs; the webhook cached them in ${fmt((performance.now() - creating) / 1000, 1)} s`,
  );
  progress(
    `the control plane was quiet after ${fmt(await quietControlPlane([cp.apiserverPid(), cp.etcdPid()]), 0)} s more`,
  );
  if (goWebhook !== undefined) measured(b, ANCHOR, goWebhook, fmt(VMIMS));
  measured(b, webhook.name, webhook.server, fmt(VMIMS));
};

const summaryLines = (b: Bench, load: { before: number[]; after: number[] }): void => {
  report(b.rows, ANCHOR);
  const anchor = b.rows.find((r) => r.server === ANCHOR && r.vmims === '0')?.figures;
  for (const r of b.rows.filter((row) => row.server.startsWith('webhook') && row.vmims === '0'))
    if (anchor !== undefined)
      console.log(`\n${r.server}, distinct reviews, against the anchor:\n- ${targets(r.figures, anchor).join('\n- ')}`);
  console.log(
    `\n(${fmt(REQUESTS)} requests per CPU figure after ${fmt(REQUESTS / 4)} to warm up; CPU from /proc/PID/stat; ${PINNED ? `server on CPU ${SERVER_CPU}, load and control plane on CPU ${LOAD_CPU}` : 'not pinned to CPUs'}; ` +
      `load average (1, 5, 15 min) ${load.before.map((l) => fmt(l, 2)).join(', ')} before, ${load.after.map((l) => fmt(l, 2)).join(', ')} after)`,
  );
};

export const run = async (root: string): Promise<void> => {
  const before = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const bin = buildGo(root);
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  const running: Server[] = [];
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    // the control plane works beside the load, not beside the server measured
    pin(cp.apiserverPid(), LOAD_CPU);
    pin(cp.etcdPid(), LOAD_CPU);
    const files = {
      kubeconfig: cp.kubeconfig,
      certFile: cp.pki.webhookCert,
      keyFile: cp.pki.webhookKey,
      caFile: cp.pki.caCert,
    };
    const b: Bench = {
      root,
      bin,
      files,
      kc,
      work,
      rows: [],
      setup: { binary: join(bin, 'go-load'), caFile: files.caFile, ...writeCorpora(work) },
    };
    await floors(b);
    const goWebhook = SERVERS.includes('go-webhook') ? await startGoWebhook(join(bin, 'go-webhook'), files) : undefined;
    if (goWebhook !== undefined) running.push(goWebhook);
    if (goWebhook !== undefined) measured(b, ANCHOR, goWebhook);
    const webhook = SERVERS.includes('webhook') ? await projectWebhooks(b, running) : undefined;
    if (VMIMS > 0 && webhook !== undefined) await withMigrations(b, goWebhook, webhook, cp);
    summaryLines(b, { before, after: loadavg() });
  } finally {
    for (const s of running) await s.stop();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
