import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { errorMessage, KUBEVIRT_NAMESPACE, LeaderElector, MigrationController, loadKubeConfig } from '@kubevirt-migration/k8s-adapter';
import { createLogger, isLevel, onShutdown, serveProbes } from '@kubevirt-migration/service';
import { controllerMetrics } from './metrics.js';

const usage = `usage: kubevirt-migration-controller [options]
  --kubeconfig FILE        cluster (default: $KUBECONFIG, then ~/.kube/config)
  --context NAME           kubeconfig context
  --probe-address ADDR     address of /healthz, /readyz, /metrics (default 127.0.0.1; env PROBE_ADDRESS)
  --probe-port N           their port (default 8080; env PROBE_PORT; 0 picks a free one)
  --leader-elect BOOL      campaign for a Lease before writing (default true)
  --lease-namespace NS     namespace of the Lease (default harvester-system)
  --lease-name NAME        name of the Lease (default kubevirt-migration-controller)
  --lease-duration S       seconds a lease lasts without renewal (default 15)
  --renew-deadline S       seconds a leader keeps trying to renew before it steps down (default 10)
  --retry-period S         seconds between tries (default 2)
  --identity ID            this replica's name in the Lease (default HOST_PID)
  --resync S               re-plan every S seconds even without events (default 300; 0 = never)
  --log-level LEVEL        debug, info, warn or error (default info; env LOG_LEVEL)`;

const FIELD_MANAGER = 'kubevirt-migration-controller';

const main = async (): Promise<void> => {
  const { values: f } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'probe-address': { type: 'string', default: process.env['PROBE_ADDRESS'] ?? '127.0.0.1' },
      'probe-port': { type: 'string', default: process.env['PROBE_PORT'] ?? '8080' },
      'leader-elect': { type: 'string', default: 'true' },
      'lease-namespace': { type: 'string', default: KUBEVIRT_NAMESPACE },
      'lease-name': { type: 'string', default: 'kubevirt-migration-controller' },
      'lease-duration': { type: 'string', default: '15' },
      'renew-deadline': { type: 'string', default: '10' },
      'retry-period': { type: 'string', default: '2' },
      identity: { type: 'string', default: `${hostname()}_${process.pid}` },
      resync: { type: 'string', default: '300' },
      'log-level': { type: 'string', default: process.env['LOG_LEVEL'] ?? 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (f.help) return void process.stdout.write(`${usage}\n`);
  const seconds = (name: 'lease-duration' | 'renew-deadline' | 'retry-period' | 'resync' | 'probe-port') => Number(f[name]);
  const level = f['log-level'];
  const numbers = ['lease-duration', 'renew-deadline', 'retry-period', 'resync', 'probe-port'] as const;
  if (!isLevel(level) || numbers.some((n) => !Number.isFinite(seconds(n)) || seconds(n) < 0) || !['true', 'false'].includes(f['leader-elect'] ?? '') || seconds('renew-deadline') >= seconds('lease-duration')) {
    process.stderr.write(`${usage}\n(--renew-deadline must be shorter than --lease-duration)\n`);
    process.exit(2);
  }
  const log = createLogger('kubevirt-migration-controller', { level });
  const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
  const identity = f.identity ?? `${hostname()}_${process.pid}`;
  const electing = f['leader-elect'] === 'true';

  let leading = !electing;
  const elector = new LeaderElector(kc, {
    namespace: f['lease-namespace'] ?? KUBEVIRT_NAMESPACE,
    name: f['lease-name'] ?? 'kubevirt-migration-controller',
    identity,
    leaseDurationMs: seconds('lease-duration') * 1000,
    renewDeadlineMs: seconds('renew-deadline') * 1000,
    retryPeriodMs: seconds('retry-period') * 1000,
    onStartedLeading: () => {
      leading = true;
      log.info('started leading', { identity });
      controller.enqueue();
    },
    onStoppedLeading: () => {
      leading = false;
      log.warn('stopped leading: could not renew the lease in time', { identity });
    },
    onError: (message) => log.warn('leader election', { error: message }),
  });

  // read on scrape only, when the controller exists
  const metrics = controllerMetrics({ queueDepth: () => controller.queue.depth, leader: () => leading });
  const controller: MigrationController = new MigrationController(kc, {
    fieldManager: FIELD_MANAGER,
    mayWrite: () => leading,
    ...(seconds('resync') > 0 ? { resyncMs: seconds('resync') * 1000 } : {}),
    onOutcome: (outcome, s) => {
      metrics.outcome(outcome, s);
      log[outcome === 'Unchanged' || outcome === 'Ignored' ? 'debug' : 'info']('reconciled', { outcome, ms: Math.round(s * 1000) });
    },
    onError: (message, retryInMs) => {
      metrics.error();
      log.error('reconcile failed; retrying', { error: message, retryInMs });
    },
    onCacheError: (e, retryInMs) => log.warn('cache failed; retrying', { error: e.message, retryInMs }),
  });

  const probes = createServer((req, res) => {
    if (!serveProbes({ ready: () => controller.synced, registry: metrics.registry }, req, res)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    probes.once('error', reject);
    probes.listen(seconds('probe-port'), f['probe-address'], () => resolve());
  });
  const address = probes.address();
  log.info('probes listening', { address: f['probe-address'], port: typeof address === 'object' && address !== null ? address.port : undefined });

  log.info('syncing caches', { server: kc.getCurrentCluster()?.server, identity, leaderElection: electing });
  await controller.start();
  log.info('caches synced');
  if (electing) elector.start();

  onShutdown(async (signal) => {
    log.info('shutting down', { signal });
    await controller.stop();
    if (electing) await elector.stop();
    probes.close();
    log.info('stopped; lease released');
  });
};

main().catch((e: unknown) => {
  process.stderr.write(`kubevirt-migration-controller: ${errorMessage(e)}
`);
  process.exit(1);
});
