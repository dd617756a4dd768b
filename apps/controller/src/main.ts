import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';

import {
  apiLeaseStore,
  type Connection,
  KubeHttp,
  LeaderElector,
  loadConnection,
  MigrationController,
} from '@kubevirt-migration/k8s-adapter';
import { KUBEVIRT_NAMESPACE } from '@kubevirt-migration/migration-policy';
import {
  CLUSTER_FLAGS,
  createLogger,
  type FlagValues,
  isLevel,
  listen,
  LOG_FLAGS,
  type Logger,
  onShutdown,
  runMain,
  serveProbes,
} from '@kubevirt-migration/service';

import { type ControllerMetrics, controllerMetrics } from './metrics.js';

const FIELD_MANAGER = 'kubevirt-migration-controller';

const FLAGS = {
  ...CLUSTER_FLAGS,
  'probe-address': {
    type: 'string',
    default: '127.0.0.1',
    env: 'PROBE_ADDRESS',
    help: 'address of /healthz, /readyz and /metrics',
    placeholder: 'ADDR',
  },
  'probe-port': { type: 'port', default: 8080, env: 'PROBE_PORT', help: 'their port (0 picks a free one)' },
  'leader-elect': { type: 'boolean', default: true, help: 'campaign for a Lease before writing' },
  'lease-namespace': {
    type: 'string',
    env: 'POD_NAMESPACE',
    help: `namespace of the Lease (default: the pod's namespace in a cluster, else ${KUBEVIRT_NAMESPACE})`,
    placeholder: 'NS',
  },
  'lease-name': {
    type: 'string',
    default: 'kubevirt-migration-controller',
    help: 'name of the Lease',
    placeholder: 'NAME',
  },
  'lease-duration': { type: 'seconds', default: 15, help: 'how long a lease lasts without renewal' },
  'renew-deadline': {
    type: 'seconds',
    default: 10,
    help: 'how long a leader keeps trying to renew before it stops writing and steps down',
  },
  'retry-period': { type: 'seconds', default: 2, help: 'time between tries to acquire or renew' },
  identity: {
    type: 'string',
    default: `${hostname()}_${process.pid}`,
    help: "this replica's name in the Lease",
    placeholder: 'ID',
  },
  resync: { type: 'seconds', default: 300, zero: 'never', help: 're-plan this often even without events' },
  ...LOG_FLAGS,
} as const;

type Flags = FlagValues<typeof FLAGS>;

const check = (f: Flags): string | undefined =>
  f['renew-deadline'] >= f['lease-duration']
    ? `--renew-deadline (${f['renew-deadline']} s) must be shorter than --lease-duration (${f['lease-duration']} s)`
    : f['retry-period'] >= f['renew-deadline']
      ? `--retry-period (${f['retry-period']} s) must be shorter than --renew-deadline (${f['renew-deadline']} s)`
      : undefined;

/** The Lease's namespace: the flag, else the pod's, else KubeVirt's. */
const leaseNamespaceOf = (f: Flags, connection: Connection): string =>
  f['lease-namespace'] ?? connection.podNamespace ?? KUBEVIRT_NAMESPACE;

/** What every part of the controller is built from: its flags, its client and its log. */
interface Wiring {
  readonly f: Flags;
  readonly http: KubeHttp;
  readonly log: Logger;
}

/** Leader election on the Lease; a new leader plans at once (`controller` is read only once both exist). */
const elector = (
  { f, http, log }: Wiring,
  leaseNamespace: string,
  controller: () => MigrationController,
): LeaderElector =>
  new LeaderElector(apiLeaseStore(http, leaseNamespace, f['lease-name']), {
    identity: f.identity,
    leaseDurationMs: f['lease-duration'] * 1000,
    renewDeadlineMs: f['renew-deadline'] * 1000,
    retryPeriodMs: f['retry-period'] * 1000,
    onStartedLeading: () => {
      log.info('started leading', { identity: f.identity });
      controller().loop.enqueue();
    },
    onStoppedLeading: () =>
      log.warn('stopped leading: could not renew the lease within the renew deadline', { identity: f.identity }),
    onError: (message) => log.warn('leader election', { error: message }),
  });

/** The controller, writing only while `mayWrite`, with its outcomes counted and logged. */
const migrationController = (
  { f, http, log }: Wiring,
  mayWrite: () => boolean,
  metrics: ControllerMetrics,
): MigrationController =>
  new MigrationController(http, {
    fieldManager: FIELD_MANAGER,
    mayWrite,
    ...(f.resync > 0 ? { resyncMs: f.resync * 1000 } : {}),
    onOutcome: (outcome, s) => {
      metrics.outcome(outcome, s);
      log[outcome === 'Unchanged' || outcome === 'Ignored' ? 'debug' : 'info']('reconciled', {
        outcome,
        ms: Math.round(s * 1000),
      });
    },
    onError: (message, retryInMs) => {
      metrics.error();
      log.error('reconcile failed; retrying', { error: message, retryInMs });
    },
    onEventError: (notice, message) => log.warn('could not record an event', { reason: notice.reason, error: message }),
    onCacheError: (e, retryInMs) => log.warn('cache failed; retrying', { error: e.message, retryInMs }),
  });

/** /healthz, /readyz (the caches synced) and /metrics; anything else is 404. */
const probes = (ready: () => boolean, metrics: ControllerMetrics): Server =>
  createServer((req, res) => {
    if (!serveProbes({ ready, registry: metrics.registry }, req, res))
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });

const main = async (f: Flags): Promise<void> => {
  const log = createLogger('kubevirt-migration-controller', {
    level: isLevel(f['log-level']) ? f['log-level'] : 'info',
  });
  const connection = loadConnection({ kubeconfig: f.kubeconfig, context: f.context });
  const http = new KubeHttp(connection, { fieldManager: FIELD_MANAGER });
  const electing = f['leader-elect'];
  const leaseNamespace = leaseNamespaceOf(f, connection);
  const wiring: Wiring = { f, http, log };
  const leader = elector(wiring, leaseNamespace, () => controller);
  const mayWrite = electing ? () => leader.mayWrite() : () => true;
  const metrics = controllerMetrics({ queueDepth: () => controller.loop.queue.depth, leader: mayWrite });
  const controller = migrationController(wiring, mayWrite, metrics);
  const server = probes(() => controller.synced, metrics);
  const port = await listen(server, f['probe-port'], f['probe-address'], 'the probes');
  log.info('probes listening', { address: f['probe-address'], port });
  log.info('syncing caches', {
    server: connection.server,
    source: connection.source,
    identity: f.identity,
    leaderElection: electing,
    leaseNamespace,
  });
  await controller.start();
  log.info('caches synced');
  if (electing) leader.start();
  onShutdown(async (signal) => {
    log.info('shutting down', { signal });
    await controller.stop();
    if (electing) await leader.stop();
    server.close();
    log.info('stopped; lease released');
  });
};

runMain({
  command: 'kubevirt-migration-controller',
  summary: 'Applies the kubevirt-migration Setting to the KubeVirt CR harvester-system/kubevirt.',
  flags: FLAGS,
  main,
  check,
});
