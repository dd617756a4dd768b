// The controller's footprint and speed, as the footprint issue asks: RSS at rest and after 1,000
// changes, CPU per change from /proc, Setting write -> KubeVirt CR patched (a watch on the CR sees
// the new value), KubeVirt writes per change; beside a bare Node process's RSS in the same run (the
// floor); with no heap setting, round 1's, each setting added since, and the chart's as it is now
// (read from deploy/kubevirt-migration/values.yaml).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import {
  chartEnvironment,
  type ControlPlane,
  cpuMicros,
  rssMiB,
  rssPartsMiB,
  seed,
  startController,
  startControlPlane,
  stderrLog,
} from '@kubevirt-migration/control-plane';
import { SETTINGS } from '@kubevirt-migration/k8s-adapter';

import { fmt, type Summary, summary, table } from './stats.js';

const CHANGES = Number(process.env['BENCH_CHANGES'] ?? '1000');
/** The controller's heap setting in round 1's chart (deploy/kubevirt-migration/values.yaml has today's). */
const ROUND1_NODE_OPTIONS = '--max-old-space-size=96';
/** A young generation capped at 1 MiB semi-spaces: measured below as the heap setting that helps. */
const SEMI_SPACE = '--max-semi-space-size=1';
const sleep = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));

/** RSS of a bare Node process that only waits (the floor), read after a second. */
const floorRss = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1000);
  const rss = rssMiB(child.pid ?? 0);
  const parts = rssPartsMiB(child.pid ?? 0);
  stderrLog(`floor: RSS ${fmt(rss, 1)} MiB; anonymous ${fmt(parts.anon, 1)}, file-backed ${fmt(parts.file, 1)}`);
  child.kill();
  return rss;
};

const valueOf = (n: number): string => `{"parallelMigrationsPerCluster":${n},"bandwidthPerMigration":"64Mi"}`;

/** The KubeVirt CR's MODIFIED events: counted as writes, and awaited for a value. */
const crWatch = (kc: KubeConfig) => {
  let writes = 0;
  let waiter: { value: number; resolve: () => void } | undefined;
  let current: { abort: () => void } | undefined;
  let startedAt = 0;
  const onEvent = (
    type: string,
    obj: { spec?: { configuration?: { migrations?: { parallelMigrationsPerCluster?: number } } } },
  ): void => {
    if (type !== 'MODIFIED') return;
    writes++;
    if (waiter !== undefined && obj.spec?.configuration?.migrations?.parallelMigrationsPerCluster === waiter.value) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  };
  const start = async (): Promise<void> => {
    current?.abort();
    current = await new Watch(kc).watch(
      '/apis/kubevirt.io/v1/namespaces/harvester-system/kubevirts',
      {},
      onEvent,
      () => undefined,
    );
    startedAt = Date.now();
    await sleep(100);
  };
  return {
    start,
    // client-node ends a watch after 30 s: start a new one in time
    renewIfOld: async (): Promise<void> => (Date.now() - startedAt > 20000 ? start() : undefined),
    seen: (value: number): Promise<void> => new Promise<void>((resolve) => (waiter = { value, resolve })),
    writes: (): number => writes,
    abort: (): void => current?.abort(),
  };
};

/** Waits until the pass has recorded the marker of a value, as a person saving twice would. */
const markerRecorded = async (api: CustomObjectsApi, value: number): Promise<void> => {
  const hash = createHash('sha224').update(valueOf(value)).digest('hex');
  for (let tries = 0; tries < 200; tries++) {
    const s = (await api.getClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration' })) as {
      metadata: { annotations?: Record<string, string> };
    };
    if (s.metadata.annotations?.['harvesterhci.io/hash'] === hash) return;
    await sleep(5);
  }
};

/** CHANGES changes of the Setting, one at a time: the time from each write to the CR's event with its value. */
const changes = async (api: CustomObjectsApi, watch: ReturnType<typeof crWatch>): Promise<number[]> => {
  const latencies: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    await watch.renewIfOld();
    const value = 10 + (i % 50) + (i % 2 === 0 ? 0 : 100);
    const seen = watch.seen(value);
    const started = performance.now();
    await api.patchClusterCustomObject({
      ...SETTINGS,
      name: 'kubevirt-migration',
      body: [{ op: 'add', path: '/value', value: valueOf(value) }],
    });
    await Promise.race([
      seen,
      sleep(10000).then(() => Promise.reject(new Error(`change ${i} not applied within 10 s`))),
    ]);
    latencies.push(performance.now() - started);
    await markerRecorded(api, value);
  }
  return latencies;
};

/**
 * Where the memory is, from the process's own metrics: V8's heap spaces (committed), memory
 * outside the heap (buffers), and the rest of the RSS (the binary, code, OpenSSL, libuv).
 */
const memoryLine = (label: string, metrics: string, pid: number): string => {
  const afterRss = rssMiB(pid);
  const parts = rssPartsMiB(pid);
  const spaces = [
    ...metrics.matchAll(/^kubevirt_migration_controller_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\d+)/gm),
  ].map(([, space, bytes]) => [space ?? '', Number(bytes) / 1048576] as const);
  const heap = spaces.reduce((sum, [, v]) => sum + v, 0);
  const external =
    Number(/^kubevirt_migration_controller_nodejs_external_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? Number.NaN) /
    1048576;
  return `${label} after the changes: RSS ${fmt(afterRss, 1)} MiB = V8 heap ${fmt(heap, 1)} (${spaces.map(([s, v]) => `${s} ${fmt(v, 1)}`).join(', ')}) + external ${fmt(external, 1)} + the rest ${fmt(afterRss - heap - external, 1)}; by kind: anonymous ${fmt(parts.anon, 1)}, file-backed ${fmt(parts.file, 1)} (the binary's pages)`;
};

/** What every measurement shares: the repository, the control plane, its client and a work folder. */
interface Context {
  readonly root: string;
  readonly cp: ControlPlane;
  readonly kc: KubeConfig;
  readonly work: string;
}

/** One configuration of the controller: a label, its NODE_OPTIONS (none: unset) and more environment. */
interface Configuration {
  readonly label: string;
  readonly nodeOptions: string | undefined;
  readonly extraEnv?: Readonly<Record<string, string>>;
}

interface Measured {
  readonly restRss: number;
  readonly afterRss: number;
  readonly cpuPerChange: number;
  readonly latencies: Summary;
  readonly perChange: number;
  readonly conflicts: number;
}

const environment = (c: Configuration): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...c.extraEnv };
  if (c.nodeOptions === undefined) delete env['NODE_OPTIONS'];
  else env['NODE_OPTIONS'] = c.nodeOptions;
  return env;
};

const measure = async ({ root, cp, kc, work }: Context, c: Configuration): Promise<Measured> => {
  const controller = await startController(
    root,
    cp.kubeconfig,
    join(work, `controller-${c.label.replace(/\W+/g, '-')}.log`),
    { env: environment(c) },
  );
  const pid = controller.pid ?? 0;
  const api = kc.makeApiClient(CustomObjectsApi);
  const watch = crWatch(kc);
  try {
    // the seeded value applied, then 5 s of rest
    await api.patchClusterCustomObject({
      ...SETTINGS,
      name: 'kubevirt-migration',
      body: [{ op: 'add', path: '/value', value: valueOf(1) }],
    });
    await sleep(5000);
    const restRss = rssMiB(pid);
    await watch.start();
    await sleep(100);
    const cpuBefore = cpuMicros(pid);
    const latencies = await changes(api, watch);
    const cpuPerChange = (cpuMicros(pid) - cpuBefore) / CHANGES;
    await sleep(5000);
    const metrics = await (await fetch(`http://127.0.0.1:${controller.probePort}/metrics`)).text();
    const conflicts = Number(
      /kubevirt_migration_controller_reconciles_total\{outcome="Conflict"\} (\d+)/.exec(metrics)?.[1] ?? '0',
    );
    stderrLog(memoryLine(c.label, metrics, pid));
    return {
      restRss,
      afterRss: rssMiB(pid),
      cpuPerChange,
      latencies: summary(latencies),
      perChange: watch.writes() / CHANGES,
      conflicts,
    };
  } finally {
    watch.abort();
    await controller.stop();
  }
};

/** The configurations measured, one after another: the last is read from the chart's values, what a deployment runs. */
const configurations = (root: string): readonly Configuration[] => {
  const chart = chartEnvironment(root, 'controller');
  const arena = chart['MALLOC_ARENA_MAX'] === undefined ? '' : `, MALLOC_ARENA_MAX=${chart['MALLOC_ARENA_MAX']}`;
  return [
    { label: 'no heap setting', nodeOptions: undefined },
    { label: `${ROUND1_NODE_OPTIONS} (the chart in round 1)`, nodeOptions: ROUND1_NODE_OPTIONS },
    { label: `+ ${SEMI_SPACE}`, nodeOptions: `${ROUND1_NODE_OPTIONS} ${SEMI_SPACE}` },
    {
      label: '+ MALLOC_ARENA_MAX=2',
      nodeOptions: `${ROUND1_NODE_OPTIONS} ${SEMI_SPACE}`,
      extraEnv: { MALLOC_ARENA_MAX: '2' },
    },
    {
      label: `the chart now: ${chart['NODE_OPTIONS'] ?? ''}${arena}`,
      nodeOptions: chart['NODE_OPTIONS'],
      extraEnv: chart,
    },
  ];
};

const row = (label: string, m: Measured, floor: number): Record<string, string | number> => ({
  controller: label,
  'RSS at rest MiB': `${fmt(m.restRss, 1)} (${fmt(m.restRss / floor, 2)}× floor)`,
  [`RSS after ${fmt(CHANGES)} changes MiB`]: `${fmt(m.afterRss, 1)} (${fmt(m.afterRss / floor, 2)}× floor)`,
  'CPU µs / change': fmt(m.cpuPerChange, 0),
  'write → patch median / p99 ms': `${fmt(m.latencies.median, 1)} / ${fmt(m.latencies.p99, 1)}`,
  'KubeVirt writes / change': fmt(m.perChange, 2),
  conflicts: m.conflicts,
});

export const run = async (root: string): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    const floor = await floorRss();
    const rows: Record<string, string | number>[] = [];
    for (const c of configurations(root)) rows.push(row(c.label, await measure({ root, cp, kc, work }, c), floor));
    console.log(`floor: a bare Node process (node -e 'setInterval(...)'): ${fmt(floor, 1)} MiB RSS`);
    table(rows);
  } finally {
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
