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
import { SETTINGS } from '@kubevirt-migration/k8s-adapter';
import {
  chartEnvironment,
  cpuMicros,
  rssMiB,
  rssPartsMiB,
  seed,
  startControlPlane,
  startController,
  stderrLog,
  type ControlPlane,
} from '@kubevirt-migration/control-plane';
import { fmt, summary, table } from './stats.js';

const CHANGES = Number(process.env['BENCH_CHANGES'] ?? '1000');
/** The controller's heap setting in round 1's chart (deploy/kubevirt-migration/values.yaml has today's). */
const ROUND1_NODE_OPTIONS = '--max-old-space-size=96';
/** A young generation capped at 1 MiB semi-spaces: measured below as the heap setting that helps. */
const SEMI_SPACE = '--max-semi-space-size=1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

const measure = async (
  root: string,
  cp: ControlPlane,
  kc: KubeConfig,
  work: string,
  label: string,
  nodeOptions: string | undefined,
  extraEnv: Readonly<Record<string, string>> = {},
) => {
  const env = { ...process.env, ...extraEnv };
  if (nodeOptions === undefined) delete env['NODE_OPTIONS'];
  else env['NODE_OPTIONS'] = nodeOptions;
  const controller = await startController(root, cp.kubeconfig, join(work, `controller-${label}.log`), [], env);
  const pid = controller.pid ?? 0;
  const api = kc.makeApiClient(CustomObjectsApi);
  let watch: { abort: () => void } | undefined;
  try {
    // the seeded value applied, then 5 s of rest
    await api.patchClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration', body: [{ op: 'add', path: '/value', value: valueOf(1) }] });
    await sleep(5000);
    const restRss = rssMiB(pid);
    let writes = 0;
    let waiter: { value: number; resolve: () => void } | undefined;
    const startWatch = async () =>
      new Watch(kc).watch(
        '/apis/kubevirt.io/v1/namespaces/harvester-system/kubevirts',
        {},
        (type: string, obj: { spec?: { configuration?: { migrations?: { parallelMigrationsPerCluster?: number } } } }) => {
          if (type !== 'MODIFIED') return;
          writes++;
          if (waiter !== undefined && obj.spec?.configuration?.migrations?.parallelMigrationsPerCluster === waiter.value) {
            const w = waiter;
            waiter = undefined;
            w.resolve();
          }
        },
        () => undefined,
      );
    watch = await startWatch();
    let watchStarted = Date.now();
    await sleep(200);
    const cpuBefore = cpuMicros(pid);
    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      // client-node ends a watch after 30 s: start a new one in time
      if (Date.now() - watchStarted > 20000) {
        watch.abort();
        watch = await startWatch();
        watchStarted = Date.now();
        await sleep(100);
      }
      const value = 10 + (i % 50) + (i % 2 === 0 ? 0 : 100);
      const seen = new Promise<void>((resolve) => (waiter = { value, resolve }));
      const started = performance.now();
      await api.patchClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration', body: [{ op: 'add', path: '/value', value: valueOf(value) }] });
      await Promise.race([seen, sleep(10000).then(() => Promise.reject(new Error(`change ${i} not applied within 10 s`)))]);
      latencies.push(performance.now() - started);
      // one change at a time: wait until the pass has recorded its marker, as a person saving twice would
      const hash = createHash('sha224').update(valueOf(value)).digest('hex');
      for (let tries = 0; tries < 200; tries++) {
        const s = (await api.getClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration' })) as { metadata: { annotations?: Record<string, string> } };
        if (s.metadata.annotations?.['harvesterhci.io/hash'] === hash) break;
        await sleep(5);
      }
    }
    const cpuPerChange = (cpuMicros(pid) - cpuBefore) / CHANGES;
    await sleep(5000);
    const afterRss = rssMiB(pid);
    const parts = rssPartsMiB(pid);
    const metrics = await (await fetch(`http://127.0.0.1:${controller.probePort}/metrics`)).text();
    const conflicts = Number(/kubevirt_migration_controller_reconciles_total\{outcome="Conflict"\} (\d+)/.exec(metrics)?.[1] ?? '0');
    // where the memory is, from the process's own metrics: V8's heap spaces (committed), memory
    // outside the heap (buffers), and the rest of the RSS (the binary, code, OpenSSL, libuv)
    const mib = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? Number.NaN) / 1048576;
    const spaces = [...metrics.matchAll(/^kubevirt_migration_controller_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\d+)/gm)].map(
      ([, space, bytes]) => [space ?? '', Number(bytes) / 1048576] as const,
    );
    const heap = spaces.reduce((sum, [, v]) => sum + v, 0);
    const external = mib(/^kubevirt_migration_controller_nodejs_external_memory_bytes (\d+)/m);
    stderrLog(
      `${label} after the changes: RSS ${fmt(afterRss, 1)} MiB = V8 heap ${fmt(heap, 1)} (${spaces.map(([s, v]) => `${s} ${fmt(v, 1)}`).join(', ')}) + external ${fmt(external, 1)} + the rest ${fmt(afterRss - heap - external, 1)}; by kind: anonymous ${fmt(parts.anon, 1)}, file-backed ${fmt(parts.file, 1)} (the binary's pages)`,
    );
    return { restRss, afterRss, cpuPerChange, latencies: summary(latencies), perChange: writes / CHANGES, conflicts };
  } finally {
    watch?.abort();
    await controller.stop();
  }
};

export const run = async (root: string): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    const floor = await floorRss();
    const rows: Record<string, string | number>[] = [];
    // the last configuration is read from the chart's values: what a deployment runs
    const chart = chartEnvironment(root, 'controller');
    for (const config of [
      ['no heap setting', undefined],
      [`${ROUND1_NODE_OPTIONS} (the chart in round 1)`, ROUND1_NODE_OPTIONS],
      [`+ ${SEMI_SPACE}`, `${ROUND1_NODE_OPTIONS} ${SEMI_SPACE}`],
      ['+ MALLOC_ARENA_MAX=2', `${ROUND1_NODE_OPTIONS} ${SEMI_SPACE}`, { MALLOC_ARENA_MAX: '2' }],
      [
        `the chart now: ${chart['NODE_OPTIONS'] ?? ''}${chart['MALLOC_ARENA_MAX'] === undefined ? '' : `, MALLOC_ARENA_MAX=${chart['MALLOC_ARENA_MAX']}`}`,
        chart['NODE_OPTIONS'],
        chart,
      ],
    ] as const) {
      const [label, options] = config;
      const m = await measure(root, cp, kc, work, label.replace(/\W+/g, '-'), options, 2 in config ? config[2] : {});
      rows.push({
        controller: label,
        'RSS at rest MiB': `${fmt(m.restRss, 1)} (${fmt(m.restRss / floor, 2)}× floor)`,
        [`RSS after ${fmt(CHANGES)} changes MiB`]: `${fmt(m.afterRss, 1)} (${fmt(m.afterRss / floor, 2)}× floor)`,
        'CPU µs / change': fmt(m.cpuPerChange, 0),
        'write → patch median / p99 ms': `${fmt(m.latencies.median, 1)} / ${fmt(m.latencies.p99, 1)}`,
        'KubeVirt writes / change': fmt(m.perChange, 2),
        conflicts: m.conflicts,
      });
    }
    console.log(`floor: a bare Node process (node -e 'setInterval(...)'): ${fmt(floor, 1)} MiB RSS`);
    table(rows);
  } finally {
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
