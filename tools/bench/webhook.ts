// CPU per admission and memory of the webhook, measured on the server's side: an external load
// generator (hey v0.1.4, built from the Go module proxy by control-plane/scripts/build-binaries.sh)
// sends the same UPDATE AdmissionReview over TLS keep-alive, and the server's CPU time is read from
// /proc before and after. Side by side in the same run: a Go net/http server and a bare
// node:https server answering a fixed review (the floors), and the webhook with 0 and with 10,000
// finished VMIMs cached. Latency p50/p99 at a fixed rate of 1,000 admissions per second.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { MIGRATIONS } from '@kubevirt-migration/k8s-adapter';
import { chartEnvironment, cpuMicros, rssMiB, seed, startControlPlane, startWebhook, stderrLog } from '@kubevirt-migration/control-plane';
import { fmt, summary, table } from './stats.js';
import { settingObject, TYPICAL_VALUE } from './policy.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? '40000');
const CONNECTIONS = 8;
const RATE = 1000;
const PACED_RUNS = 3;
const VMIMS = Number(process.env['BENCH_VMIMS'] ?? '10000');
/** The webhook checks changes against the API server for 30 s after its cache became current. */
const SETTLE_MS = 31000;

interface Hey {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/**
 * With two CPUs or more and taskset at hand, the server measured runs on CPU 1 and hey on CPU 0:
 * otherwise the scheduler moves them around each other and one run's figures differ from the
 * next by 10-30% (measured in round 2, session 4: the floor between 25 and 37 µs unpinned).
 */
const PINNED = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const SERVER_CPU = '1';
const LOAD_CPU = '0';

/** Keeps a process (all its threads, and those it starts later) on a CPU: by default the server's. */
const pin = (pid: number | undefined, cpu = SERVER_CPU): void => {
  if (PINNED && pid !== undefined) execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
};

/**
 * Waits (at most a minute) until the control plane (API server and etcd) spends less than a tenth
 * of a CPU: after 10,000 VMIMs are created it goes on working for a while.
 */
const quietControlPlane = async (pids: readonly (number | undefined)[]): Promise<number> => {
  const started = Date.now();
  const spent = () => pids.reduce((sum: number, pid) => sum + (pid === undefined ? 0 : cpuMicros(pid)), 0);
  for (;;) {
    const before = spent();
    await new Promise((r) => setTimeout(r, 2000));
    if (spent() - before < 200_000 || Date.now() - started > 60000) return (Date.now() - started) / 1000;
  }
};

/** Runs hey and reads its summary. */
const hey = (binary: string, url: string, body: string, args: readonly string[]): Hey => {
  if (!url.startsWith('https://127.0.0.1:')) throw new Error(`the load only targets loopback, not ${url}`);
  const command = [binary, ...args, '-m', 'POST', '-T', 'application/json', '-D', body, url];
  const [file = binary, ...rest] = PINNED ? ['taskset', '-c', LOAD_CPU, ...command] : command;
  const r = spawnSync(file, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`hey failed: ${r.stderr}`);
  const out = r.stdout;
  const pct = (p: number) => Number(new RegExp(`\\b${p}% in ([0-9.]+) secs`).exec(out)?.[1] ?? 'NaN') * 1000;
  // answers other than 200, and requests that got no answer (hey's "Error distribution": "  [N]\tPost …: reason")
  const notOk = [...out.matchAll(/\[(\d+)\]\s+(\d+) responses/g)].filter((m) => m[1] !== '200').reduce((n, m) => n + Number(m[2]), 0);
  const failed = [...(out.split('Error distribution:')[1] ?? '').matchAll(/^\s+\[(\d+)\]\s/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { rps: Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? 'NaN'), p50: pct(50), p99: pct(99), errors: notOk + failed };
};

interface Figures {
  readonly cpuPerRequestUs: number;
  readonly rss: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** The p99 of each paced run. */
  readonly p99s: readonly number[];
  readonly errors: number;
}

/** The server's CPU per request over REQUESTS requests at full speed, its RSS after, and latency at a fixed rate. */
const measure = (binary: string, pid: number, url: string, body: string): Figures => {
  pin(pid);
  hey(binary, url, body, ['-n', String(REQUESTS / 4), '-c', String(CONNECTIONS)]); // warm-up (JIT, TLS sessions)
  const before = cpuMicros(pid);
  const full = hey(binary, url, body, ['-n', String(REQUESTS), '-c', String(CONNECTIONS)]);
  const cpu = cpuMicros(pid) - before;
  const rss = rssMiB(pid);
  // latency: three paced runs of 10 s, the median of their p50s and p99s (one 5 s run's p99 moved by 2x between runs)
  const paced = Array.from({ length: PACED_RUNS }, () => hey(binary, url, body, ['-z', '10s', '-c', String(CONNECTIONS), '-q', String(RATE / CONNECTIONS)]));
  return {
    cpuPerRequestUs: cpu / REQUESTS,
    rss,
    rps: full.rps,
    p50: summary(paced.map((r) => r.p50)).median,
    p99: summary(paced.map((r) => r.p99)).median,
    p99s: paced.map((r) => r.p99),
    errors: paced.reduce((n, r) => n + r.errors, full.errors),
  };
};

const startServer = (command: string, args: readonly string[]): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });

/** The Go floor, built once into the cache (it has no dependencies). */
const goFloor = (root: string, cache: string): string => {
  const out = join(cache, 'go-floor');
  execFileSync('go', ['build', '-trimpath', '-o', out, '.'], {
    cwd: join(root, 'tools', 'bench', 'go-floor'),
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
  });
  return out;
};

const get = (port: number, path: string, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, ca: readFileSync(ca) }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });

/** Creates `count` finished VMIMs (status through the status subresource), `parallel` at a time. */
const createFinishedMigrations = async (kc: KubeConfig, count: number, parallel = 32): Promise<void> => {
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = 'bench';
  await kc.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) {
        const name = `vm-${i}-migration`;
        await api.createNamespacedCustomObject({
          ...MIGRATIONS,
          namespace,
          body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name }, spec: { vmiName: `vm-${i}` } },
        });
        await api.patchNamespacedCustomObjectStatus({
          ...MIGRATIONS,
          namespace,
          name,
          body: [{ op: 'add', path: '/status', value: { phase: 'Succeeded', migrationState: { completed: true } } }],
        });
      }
    }),
  );
};

export const run = async (root: string): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const bin =
    execFileSync('bash', [join(root, 'control-plane', 'scripts', 'build-binaries.sh'), 'hey'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop() ?? '';
  const heyBinary = join(bin, 'hey');
  mkdirSync(join(bin, '..', 'bench'), { recursive: true });
  const goFloorBinary = goFloor(root, join(bin, '..', 'bench'));
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  const children: ChildProcess[] = [];
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    // the control plane works beside hey, not beside the server measured
    pin(cp.apiserverPid(), LOAD_CPU);
    pin(cp.etcdPid(), LOAD_CPU);
    const body = join(work, 'review.json');
    writeFileSync(
      body,
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'bench', operation: 'UPDATE', name: 'kubevirt-migration', object: settingObject(TYPICAL_VALUE), oldObject: settingObject(undefined) },
      }),
    );
    const rows: Record<string, string | number>[] = [];
    const row = (server: string, vmims: string, f: Figures, floor?: Figures) =>
      rows.push({
        server,
        'VMIMs cached': vmims,
        'CPU µs / admission':
          floor === undefined ? fmt(f.cpuPerRequestUs, 1) : `${fmt(f.cpuPerRequestUs, 1)} (${fmt(f.cpuPerRequestUs / floor.cpuPerRequestUs, 2)}× floor)`,
        'RSS after, MiB': floor === undefined ? fmt(f.rss, 1) : `${fmt(f.rss, 1)} (${fmt(f.rss / floor.rss, 2)}× floor)`,
        'req/s (hey, 8 conn.)': fmt(f.rps),
        [`p50 / p99 ms at ${fmt(RATE)}/s (p99 of each run)`]: `${fmt(f.p50, 2)} / ${fmt(f.p99, 2)} (${f.p99s.map((p) => fmt(p, 1)).join(', ')})`,
        errors: f.errors,
      });

    /** Starts a floor server (it prints its port), measures it and stops it. */
    const floorFigures = async (command: string, args: readonly string[]): Promise<Figures> => {
      const server = await startServer(command, [...args, cp.pki.webhookCert, cp.pki.webhookKey]);
      children.push(server.child);
      const figures = measure(heyBinary, server.child.pid ?? 0, `https://127.0.0.1:${server.port}/validate`, body);
      server.child.kill('SIGTERM');
      return figures;
    };
    const goFigures = await floorFigures(goFloorBinary, []);
    const nodeFloor = join(root, '.bench', 'floor.js');
    const floor = await floorFigures(process.execPath, [nodeFloor]);
    const parsing = await floorFigures(process.execPath, [nodeFloor, '--parse']);
    row('Go net/http, fixed answer', '–', goFigures);
    row('bare node:https, fixed answer (the floor)', '–', floor);
    row('bare node:https, JSON.parse of the body, fixed answer', '–', parsing, floor);

    // the webhook as the chart runs it; BENCH_WEBHOOK_ENV='NODE_OPTIONS=... MALLOC_ARENA_MAX=2' replaces that environment
    const given = process.env['BENCH_WEBHOOK_ENV'];
    const extraEnv =
      given === undefined
        ? chartEnvironment(root, 'webhook')
        : Object.fromEntries(
            given
              .split(/ (?=[A-Z_]+=)/)
              .filter((kv) => kv.includes('='))
              .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
          );
    stderrLog(`webhook environment (${given === undefined ? "the chart's" : 'BENCH_WEBHOOK_ENV'}): ${JSON.stringify(extraEnv)}`);
    webhook = await startWebhook(
      root,
      { kubeconfig: cp.kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
      join(work, 'webhook.log'),
      [],
      { ...process.env, ...extraEnv },
    );
    const started = Date.now();
    const config = await kc.makeApiClient(AdmissionregistrationV1Api).readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    const url = config.webhooks?.[0]?.clientConfig.url ?? '';
    const port = Number(new URL(url).port);
    const pid = webhook.pid ?? 0;
    stderrLog(`webhook started (RSS ${fmt(rssMiB(pid), 1)} MiB); waiting out its 30 s of live checks after start`);
    await new Promise((r) => setTimeout(r, Math.max(0, SETTLE_MS - (Date.now() - started))));
    const empty = measure(heyBinary, pid, url, body);
    row('webhook', '0', empty, floor);

    const creating = performance.now();
    await createFinishedMigrations(kc, VMIMS);
    const deadline = Date.now() + 180000;
    for (;;) {
      const metrics = await get(port, '/metrics', cp.pki.caCert);
      if (metrics.includes(`kubevirt_migration_webhook_cached_migrations{state="all"} ${VMIMS}`)) break;
      if (Date.now() > deadline) throw new Error(`the webhook cache did not reach ${VMIMS} VMIMs`);
      await new Promise((r) => setTimeout(r, 500));
    }
    stderrLog(
      `created ${fmt(VMIMS)} finished VMIMs; the webhook cached them in ${fmt((performance.now() - creating) / 1000, 1)} s (RSS ${fmt(rssMiB(pid), 1)} MiB)`,
    );
    stderrLog(`the control plane was quiet after ${fmt(await quietControlPlane([cp.apiserverPid(), cp.etcdPid()]), 0)} s more`);
    const full = measure(heyBinary, pid, url, body);
    row('webhook', fmt(VMIMS), full, floor);
    table(rows);
    console.log(
      `\nwith ${fmt(VMIMS)} VMIMs against 0: CPU per admission ${fmt((full.cpuPerRequestUs / empty.cpuPerRequestUs - 1) * 100, 1)}%, p99 ${fmt((full.p99 / empty.p99 - 1) * 100, 1)}%, RSS +${fmt(full.rss - empty.rss, 1)} MiB`,
    );
    console.log(
      `(${fmt(REQUESTS)} requests per CPU figure after ${fmt(REQUESTS / 4)} to warm up; CPU from /proc/PID/stat; ${PINNED ? `server on CPU ${SERVER_CPU}, hey on CPU ${LOAD_CPU}` : 'not pinned to CPUs'})`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await webhook?.stop();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
