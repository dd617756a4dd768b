import { readFileSync } from 'node:fs';
import { admit, SETTING_NAME } from '@kubevirt-migration/migration-policy';
import {
  InProgressMigrations,
  KubeHttp,
  SupportedOptionsWatch,
  loadConnection,
  registerSettingWebhook,
  createAdmissionServer,
  unregisterWebhook,
  errorMessage,
} from '@kubevirt-migration/k8s-adapter';
import { createLogger, isLevel, LEVELS, listen, onShutdown, runMain, serveProbes, StartupError, type FlagValues } from '@kubevirt-migration/service';
import { webhookMetrics } from './metrics.js';

const WEBHOOK_NAME = 'kubevirt-migration.harvesterhci.io';
/** For this long after its migration cache became current again, a change is checked against the API server itself. */
const SETTLE_MS = 30000;

const FLAGS = {
  kubeconfig: {
    type: 'string',
    help: 'kubeconfig of the cluster to watch (default: $KUBECONFIG, ~/.kube/config, then the pod service account)',
    placeholder: 'FILE',
  },
  context: { type: 'string', help: 'kubeconfig context', placeholder: 'NAME' },
  'listen-address': { type: 'string', default: '127.0.0.1', env: 'WEBHOOK_LISTEN_ADDRESS', help: 'address to serve HTTPS on', placeholder: 'ADDR' },
  port: { type: 'port', default: 9443, env: 'WEBHOOK_PORT', help: 'HTTPS port (0 picks a free one)' },
  'cert-file': { type: 'string', required: true, env: 'WEBHOOK_CERT_FILE', help: 'serving certificate, PEM (reloaded when it changes)', placeholder: 'FILE' },
  'key-file': { type: 'string', required: true, env: 'WEBHOOK_KEY_FILE', help: 'its private key, PEM', placeholder: 'FILE' },
  'register-url': {
    type: 'string',
    help: 'register a ValidatingWebhookConfiguration for this URL ({port} is replaced by the port); removed at shutdown',
    placeholder: 'URL',
  },
  'ca-file': { type: 'string', help: 'with --register-url: the CA that signed the serving certificate', placeholder: 'FILE' },
  'request-timeout': { type: 'seconds', default: 10, help: 'time a client has to send its whole request' },
  'log-level': { type: 'choice', default: 'info', choices: LEVELS, env: 'LOG_LEVEL', help: 'least severe level logged (JSON lines on stdout)' },
} as const;

const check = (f: FlagValues<typeof FLAGS>): string | undefined =>
  f['register-url'] !== undefined && f['ca-file'] === undefined ? '--register-url needs --ca-file (the CA the API server is to trust)' : undefined;

/** Reads a file the webhook needs before it starts, failing with one line that names it. */
const readInput = (file: string, what: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StartupError(
      `${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : errorMessage(e)}`,
    );
  }
};

const main = async (f: FlagValues<typeof FLAGS>): Promise<void> => {
  const log = createLogger('kubevirt-migration-webhook', { level: isLevel(f['log-level']) ? f['log-level'] : 'info' });
  // every input is checked before anything starts
  readInput(f['cert-file'], 'serving certificate');
  readInput(f['key-file'], 'private key');
  const caPem = f['ca-file'] === undefined ? undefined : readInput(f['ca-file'], 'CA file');
  const connection = loadConnection({ kubeconfig: f.kubeconfig, context: f.context });
  const kc = new KubeHttp(connection);
  const watchError = (what: string) => (e: { message: string }, retryInMs: number) =>
    log.warn(`${what} cache failed; retrying`, { error: e.message, retryInMs });

  const migrations = new InProgressMigrations(kc, watchError('migrations'));
  const crd = new SupportedOptionsWatch(kc, { onError: watchError('KubeVirt CRD') });
  const metrics = webhookMetrics({ all: () => migrations.cache.list().length, inProgress: () => migrations.list().length });
  // ready only while the migrations cache is current: a stale one cannot vouch for "no migration in progress"
  const ready = () => migrations.cache.fresh && crd.cache.synced;
  log.info('syncing caches', { server: connection.server, source: connection.source });
  await Promise.all([migrations.cache.start(), crd.cache.start()]);

  const server = createAdmissionServer({
    certFile: f['cert-file'],
    keyFile: f['key-file'],
    path: '/validate',
    requestTimeoutMs: f['request-timeout'] * 1000,
    review: async (r) => {
      const base = { operation: r.operation, object: r.object, oldObject: r.oldObject, supportedOptions: crd.options };
      const stale = migrations.cache.staleReason;
      let response = admit({
        ...base,
        migrations: stale === undefined ? migrations.list() : { unknown: `the webhook's migration cache is not current: ${stale}` },
      });
      if (stale === undefined && migrations.cache.settling(SETTLE_MS)) {
        // just after the cache became current: a change is checked against the API server itself
        const probe = admit({ ...base, migrations: { unknown: 'probe' } });
        if (probe.status?.code === 503) {
          const live = await migrations.listLive().then(
            (list) => list,
            (e: unknown) => ({ unknown: `the migrations could not be read: ${errorMessage(e)}` }),
          );
          response = admit({ ...base, migrations: live });
        }
      }
      if (!response.allowed) log.info('denied', { uid: r.uid, operation: r.operation, reason: response.status?.reason, message: response.status?.message });
      return response;
    },
    other: (req, res) => serveProbes({ ready, registry: metrics.registry }, req, res),
    onOutcome: (o) => {
      metrics.record(o);
      if (o.result === 'rejected') log.warn('rejected a request', { status: o.status, reason: o.reason });
      if (o.result === 'error') log.error('internal error while reviewing', { reason: o.reason });
    },
    onCertificateReload: (e) =>
      e === undefined ? log.info('serving certificate reloaded') : log.error('serving certificate not reloaded; keeping the old one', { error: e.message }),
  });
  const port = await listen(server.server, f.port, f['listen-address'], 'admission reviews');
  log.info('serving', { address: f['listen-address'], port, path: '/validate' });

  const registerUrl = f['register-url']?.replace('{port}', String(port));
  if (registerUrl !== undefined && caPem !== undefined) {
    await registerSettingWebhook(kc, { name: WEBHOOK_NAME, settingName: SETTING_NAME, url: registerUrl, caPem });
    log.info('registered', { name: WEBHOOK_NAME, url: registerUrl });
  }

  onShutdown(async (signal) => {
    log.info('shutting down', { signal });
    if (registerUrl !== undefined)
      await unregisterWebhook(kc, WEBHOOK_NAME).catch((e: unknown) => log.error('could not remove the registration', { error: errorMessage(e) }));
    await server.close();
    await Promise.all([migrations.cache.stop(), crd.cache.stop()]);
    log.info('stopped');
  });
};

runMain('kubevirt-migration-webhook', 'Validates changes of the kubevirt-migration Setting (a validating admission webhook over HTTPS).', FLAGS, main, check);
