import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { admit, SETTING_NAME } from '@kubevirt-migration/migration-policy';
import {
  errorMessage,
  InProgressMigrations,
  SupportedOptionsWatch,
  loadKubeConfig,
  registerSettingWebhook,
  startAdmissionServer,
  unregisterWebhook,
} from '@kubevirt-migration/k8s-adapter';
import { createLogger, isLevel, onShutdown, serveProbes } from '@kubevirt-migration/service';
import { webhookMetrics } from './metrics.js';

const usage = `usage: kubevirt-migration-webhook --cert-file FILE --key-file FILE [options]
  --kubeconfig FILE      cluster to watch (default: $KUBECONFIG, then ~/.kube/config)
  --context NAME         kubeconfig context
  --listen-address ADDR  address to listen on (default 127.0.0.1; env WEBHOOK_LISTEN_ADDRESS)
  --port N               HTTPS port (default 9443; env WEBHOOK_PORT; 0 picks a free one)
  --cert-file FILE       serving certificate, PEM (reloaded when it changes; env WEBHOOK_CERT_FILE)
  --key-file FILE        its private key, PEM (env WEBHOOK_KEY_FILE)
  --register-url URL     register a ValidatingWebhookConfiguration pointing at URL (removed at shutdown)
  --ca-file FILE         with --register-url: the CA that signed the serving certificate
  --request-timeout S    seconds a client has to send its whole request (default 10)
  --log-level LEVEL      debug, info, warn or error (default info; env LOG_LEVEL)`;

const WEBHOOK_NAME = 'kubevirt-migration.harvesterhci.io';

const main = async (): Promise<void> => {
  const { values: f } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'listen-address': { type: 'string', default: process.env['WEBHOOK_LISTEN_ADDRESS'] ?? '127.0.0.1' },
      port: { type: 'string', default: process.env['WEBHOOK_PORT'] ?? '9443' },
      'cert-file': { type: 'string', default: process.env['WEBHOOK_CERT_FILE'] },
      'key-file': { type: 'string', default: process.env['WEBHOOK_KEY_FILE'] },
      'register-url': { type: 'string' },
      'ca-file': { type: 'string' },
      'log-level': { type: 'string', default: process.env['LOG_LEVEL'] ?? 'info' },
      'request-timeout': { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (f.help) return void process.stdout.write(`${usage}\n`);
  const level = f['log-level'];
  const certFile = f['cert-file'];
  const keyFile = f['key-file'];
  const port = Number(f.port);
  const requestTimeoutMs = Number(f['request-timeout']) * 1000;
  if (!(requestTimeoutMs > 0) || !isLevel(level) || certFile === undefined || keyFile === undefined || !Number.isInteger(port) || (f['register-url'] !== undefined && f['ca-file'] === undefined)) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const log = createLogger('kubevirt-migration-webhook', { level });
  const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
  const watchError = (what: string) => (e: { message: string }, retryInMs: number) => log.warn(`${what} cache failed; retrying`, { error: e.message, retryInMs });

  const migrations = new InProgressMigrations(kc, watchError('migrations'));
  const crd = new SupportedOptionsWatch(kc, watchError('KubeVirt CRD'));
  const metrics = webhookMetrics({ all: () => migrations.cache.list().length, inProgress: () => migrations.list().length });
  const ready = () => migrations.cache.synced && crd.cache.synced;
  log.info('syncing caches', { server: kc.getCurrentCluster()?.server });
  await Promise.all([migrations.cache.start(), crd.cache.start()]);

  const server = await startAdmissionServer({
    host: f['listen-address'] ?? '127.0.0.1',
    port,
    certFile,
    keyFile,
    path: '/validate',
    requestTimeoutMs,
    review: (r) => {
      const response = admit({ operation: r.operation, object: r.object, oldObject: r.oldObject, migrations: migrations.list(), supportedOptions: crd.options });
      if (!response.allowed) log.info('denied', { uid: r.uid, operation: r.operation, reason: response.status?.reason, message: response.status?.message });
      return response;
    },
    other: (req, res) => serveProbes({ ready, registry: metrics.registry }, req, res),
    onOutcome: (o) => {
      metrics.record(o);
      if (o.result === 'rejected') log.warn('rejected a request that is not an AdmissionReview', { status: o.status, reason: o.reason });
    },
    onCertificateReload: (e) => (e === undefined ? log.info('serving certificate reloaded') : log.error('serving certificate not reloaded; keeping the old one', { error: e.message })),
  });
  log.info('serving', { address: f['listen-address'], port: server.port, path: '/validate' });

  const registerUrl = f['register-url'];
  const caFile = f['ca-file'];
  if (registerUrl !== undefined && caFile !== undefined) {
    await registerSettingWebhook(kc, { name: WEBHOOK_NAME, settingName: SETTING_NAME, url: registerUrl.replace('{port}', String(server.port)), caPem: readFileSync(caFile, 'utf8') });
    log.info('registered', { name: WEBHOOK_NAME, url: registerUrl.replace('{port}', String(server.port)) });
  }

  onShutdown(async (signal) => {
    log.info('shutting down', { signal });
    if (registerUrl !== undefined) await unregisterWebhook(kc, WEBHOOK_NAME).catch((e: { message?: string }) => log.error('could not remove the registration', { error: e.message }));
    await server.close();
    await Promise.all([migrations.cache.stop(), crd.cache.stop()]);
    log.info('stopped');
  });
};

main().catch((e: unknown) => {
  process.stderr.write(`kubevirt-migration-webhook: ${errorMessage(e)}
`);
  process.exit(1);
});
