import { readFileSync } from 'node:fs';

import {
  type AdmissionRequest,
  type AdmissionServer,
  type Connection,
  createAdmissionServer,
  deploymentGone,
  FeatureGatesWatch,
  fileCredentials,
  InProgressMigrations,
  KubeHttp,
  loadConnection,
  RegistrationKeeper,
  removeRegistration,
  SecretCredentials,
  type ServingCredentials,
  SupportedOptionsWatch,
  type WebhookEndpoint,
} from '@kubevirt-migration/k8s-adapter';
import { type AdmissionResponse, decideAdmission, SETTING_NAME } from '@kubevirt-migration/migration-policy';
import {
  CLUSTER_FLAGS,
  createLogger,
  errorMessage,
  fileErrorText,
  type FlagValues,
  isLevel,
  listen,
  LOG_FLAGS,
  type Logger,
  onShutdown,
  runMain,
  serveProbes,
  StartupError,
} from '@kubevirt-migration/service';

import { webhookMetrics } from './metrics.js';

/** For this long after its migration cache became current again, a change is checked against the API server itself. */
const SETTLE_MS = 30000;
/** Every write of the webhook (its registration, its certificate Secret) names it. */
const FIELD_MANAGER = 'kubevirt-migration-webhook';
const DAY = 86400;

const FLAGS = {
  ...CLUSTER_FLAGS,
  'listen-address': {
    type: 'string',
    default: '127.0.0.1',
    env: 'WEBHOOK_LISTEN_ADDRESS',
    help: 'address to serve HTTPS on',
    placeholder: 'ADDR',
  },
  port: { type: 'port', default: 9443, env: 'WEBHOOK_PORT', help: 'HTTPS port (0 picks a free one)' },
  'cert-file': {
    type: 'string',
    env: 'WEBHOOK_CERT_FILE',
    help: 'serving certificate, PEM (read again when it changes)',
    placeholder: 'FILE',
  },
  'key-file': { type: 'string', env: 'WEBHOOK_KEY_FILE', help: 'its private key, PEM', placeholder: 'FILE' },
  'ca-file': {
    type: 'string',
    help: 'the CA that signed the serving certificate, registered as caBundle (read again when it changes)',
    placeholder: 'FILE',
  },
  'tls-secret': {
    type: 'string',
    help: "instead of files: make and rotate the certificates in this Secret ([NAMESPACE/]NAME; default namespace: the pod's)",
    placeholder: 'NAME',
  },
  'certificate-lifetime': {
    type: 'seconds',
    default: 365 * DAY,
    help: 'with --tls-secret: lifetime of a serving certificate (renewed with a third left)',
  },
  'ca-lifetime': {
    type: 'seconds',
    default: 3650 * DAY,
    help: 'with --tls-secret: lifetime of the CA (renewed with a third left)',
  },
  'ca-overlap': {
    type: 'seconds',
    default: 3600,
    help: 'with --tls-secret: how long a new CA is trusted before it signs what is served',
  },
  registration: {
    type: 'string',
    default: 'kubevirt-migration.harvesterhci.io',
    help: 'name of the ValidatingWebhookConfiguration kept',
    placeholder: 'NAME',
  },
  'register-service': {
    type: 'string',
    help: 'keep the registration, the API server calling this Service (NAMESPACE/NAME:PORT)',
    placeholder: 'SVC',
  },
  'register-url': {
    type: 'string',
    help: 'keep the registration, the API server calling this URL ({port} is replaced by the port)',
    placeholder: 'URL',
  },
  'registration-timeout': { type: 'seconds', default: 10, help: 'timeoutSeconds of the registration (1 to 30)' },
  'ca-injected-from': {
    type: 'string',
    help: "cert-manager's CA injector fills caBundle from this Certificate (NAMESPACE/NAME); the webhook leaves caBundle alone",
    placeholder: 'CERT',
  },
  'owner-deployment': {
    type: 'string',
    help: "the webhook's Deployment: at shutdown the registration is removed only once it is gone (helm uninstall); without it, at every shutdown",
    placeholder: 'NAME',
  },
  namespace: {
    type: 'string',
    env: 'POD_NAMESPACE',
    help: "namespace of the Secret and the Deployment (default: the pod's)",
    placeholder: 'NS',
  },
  'request-timeout': { type: 'seconds', default: 10, help: 'time a client has to send its whole request' },
  'shutdown-delay': {
    type: 'seconds',
    default: 5,
    zero: 'stop accepting at once',
    help: 'at SIGTERM: not ready, and keep serving this long (every answer with Connection: close) before stopping; requests in flight then have --registration-timeout to finish',
  },
  ...LOG_FLAGS,
} as const;

type Flags = FlagValues<typeof FLAGS>;

const SERVICE_PATTERN = /^([a-z0-9-]+)\/([a-z0-9-]+):(\d{1,5})$/;

/** The serving certificate's flags: files, or a Secret, never both. */
const checkCertificate = (f: Flags): string | undefined => {
  const files = f['cert-file'] !== undefined || f['key-file'] !== undefined;
  if (files && f['tls-secret'] !== undefined)
    return '--tls-secret and --cert-file/--key-file are alternatives: give one';
  if (!files && f['tls-secret'] === undefined)
    return 'the webhook needs a certificate: --cert-file and --key-file, or --tls-secret';
  if (files && (f['cert-file'] === undefined || f['key-file'] === undefined))
    return '--cert-file and --key-file go together';
  return undefined;
};

/** The registration's flags: a URL or a Service, and a timeout the API server accepts. */
const checkRegistration = (f: Flags): string | undefined => {
  if (f['register-url'] !== undefined && f['register-service'] !== undefined)
    return '--register-url and --register-service are alternatives: give one';
  if (f['register-service'] !== undefined && !SERVICE_PATTERN.test(f['register-service']))
    return `--register-service must be NAMESPACE/NAME:PORT, not ${JSON.stringify(f['register-service'])}`;
  if (f['registration-timeout'] < 1 || f['registration-timeout'] > 30)
    return '--registration-timeout must be from 1 to 30 seconds';
  return undefined;
};

const check = (f: Flags): string | undefined => {
  const problem = checkCertificate(f) ?? checkRegistration(f);
  if (problem !== undefined) return problem;
  const files = f['cert-file'] !== undefined || f['key-file'] !== undefined;
  if (f['ca-file'] !== undefined && !files)
    return '--ca-file goes with --cert-file (with --tls-secret the CA is in the Secret)';
  return undefined;
};

/** Reads a file the webhook needs before it starts, failing with one line that names it. */
const readInput = (file: string, what: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new StartupError(`${what} ${file}: ${fileErrorText(e)}`);
  }
};

/** The Service of --register-service (checked against SERVICE_PATTERN before start). */
const serviceOf = (f: Flags): { namespace: string; name: string; port: number; path: string } | undefined => {
  const m = SERVICE_PATTERN.exec(f['register-service'] ?? '');
  return m === null ? undefined : { namespace: m[1] ?? '', name: m[2] ?? '', port: Number(m[3]), path: '/validate' };
};

/** How the API server reaches this webhook, when it keeps its registration. */
const endpointOf = (f: Flags, port: number): WebhookEndpoint | undefined => {
  const service = serviceOf(f);
  if (service !== undefined) return { service };
  return f['register-url'] === undefined ? undefined : { url: f['register-url'].replace('{port}', String(port)) };
};

/** The names a self-made serving certificate carries: the Service's DNS names, or the URL's host. */
const hostsOf = (f: Flags): string[] => {
  const service = serviceOf(f);
  if (service !== undefined) {
    const { name, namespace: ns } = service;
    return [`${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`, `${name}.${ns}`, name];
  }
  if (f['register-url'] !== undefined)
    return [new URL(f['register-url'].replace('{port}', '1')).hostname.replace(/^\[|\]$/g, '')];
  return ['localhost'];
};

const splitName = (value: string, namespace: string | undefined, flag: string): { namespace: string; name: string } => {
  const [a, b] = value.includes('/') ? value.split('/', 2) : [namespace, value];
  if (a === undefined || a === '')
    throw new StartupError(`${flag} ${value}: no namespace given, and not running in a pod (--namespace)`);
  return { namespace: a, name: b ?? '' };
};

/** Every input file is checked before anything starts. */
const checkInputFiles = (f: Flags): void => {
  if (f['cert-file'] !== undefined) readInput(f['cert-file'], 'serving certificate');
  if (f['key-file'] !== undefined) readInput(f['key-file'], 'private key');
  if (f['ca-file'] !== undefined) readInput(f['ca-file'], 'CA file');
};

/** The namespace of the Secret and the Deployment: --namespace, else the pod's. */
const namespaceOf = (f: Flags, connection: Connection): string | undefined => {
  const namespace = f.namespace ?? connection.podNamespace;
  if (f['owner-deployment'] !== undefined && namespace === undefined)
    throw new StartupError('--owner-deployment: no namespace given, and not running in a pod (--namespace)');
  return namespace;
};

/** What every part of the wiring below takes: the flags, the client, the namespace and the log. */
interface Context {
  readonly f: Flags;
  readonly http: KubeHttp;
  readonly namespace: string | undefined;
  readonly log: Logger;
}

/** The serving certificate: from files (read again when they change), or made and rotated in a Secret. */
const servingCredentials = async ({ f, http, namespace, log }: Context): Promise<ServingCredentials> => {
  const events = {
    onError: (message: string) => log.error(message),
    onChanged: (reason: string) => log.info('serving certificate changed', { reason }),
  };
  const [certFile, keyFile] = [f['cert-file'], f['key-file']];
  if (certFile !== undefined && keyFile !== undefined) {
    try {
      return fileCredentials(
        { certFile, keyFile, ...(f['ca-file'] === undefined ? {} : { caFile: f['ca-file'] }) },
        events,
      );
    } catch (e) {
      throw new StartupError(`serving certificate ${certFile} with key ${keyFile}: ${errorMessage(e)}`);
    }
  }
  const secret = splitName(f['tls-secret'] ?? '', namespace, '--tls-secret');
  const hosts = hostsOf(f);
  const policy = {
    hosts,
    servingLifetimeMs: f['certificate-lifetime'] * 1000,
    caLifetimeMs: f['ca-lifetime'] * 1000,
    caOverlapMs: f['ca-overlap'] * 1000,
  };
  const own = new SecretCredentials(http, { ...secret, policy, ...events });
  log.info('taking the certificates from Secret', { secret: `${secret.namespace}/${secret.name}`, hosts });
  await own.start();
  return own;
};

/** What admission reads: the migrations in progress, the options of the installed KubeVirt CRD and the CR's feature gates. */
interface Caches {
  readonly migrations: InProgressMigrations;
  readonly crd: SupportedOptionsWatch;
  /** The KubeVirt CR, kept as its feature gates (docs/semantics.md §2a). */
  readonly kubevirt: FeatureGatesWatch;
}

const startCaches = async ({ http, log }: Context, connection: Connection): Promise<Caches> => {
  const watchError = (what: string) => (e: { message: string }, retryInMs: number) =>
    log.warn(`${what} cache failed; retrying`, { error: e.message, retryInMs });
  const caches = {
    migrations: new InProgressMigrations(http, watchError('migrations')),
    crd: new SupportedOptionsWatch(http, { onError: watchError('KubeVirt CRD') }),
    kubevirt: new FeatureGatesWatch(http, { onError: watchError('KubeVirt CR') }),
  };
  log.info('syncing caches', { server: connection.server, source: connection.source });
  await Promise.all([caches.migrations.cache.start(), caches.crd.cache.start(), caches.kubevirt.cache.start()]);
  return caches;
};

/**
 * One review: the policy decides once; only a change reads the migrations, from the cache (refused
 * with 503 while it is not current) or, for SETTLE_MS after it became current, from the API server.
 */
const review =
  ({ migrations, crd, kubevirt }: Caches, log: Logger, denied: (reason: string) => void) =>
  (r: AdmissionRequest): AdmissionResponse | Promise<AdmissionResponse> => {
    const logged = (response: AdmissionResponse): AdmissionResponse => {
      if (!response.allowed) {
        denied(response.status?.reason ?? 'Unknown');
        log.info('denied', {
          uid: r.uid,
          operation: r.operation,
          reason: response.status?.reason,
          message: response.status?.message,
        });
      }
      return response;
    };
    const decision = decideAdmission({
      operation: r.operation,
      object: r.object,
      oldObject: r.oldObject,
      supportedOptions: crd.options,
      featureGates: kubevirt.gates,
    });
    if (decision.kind === 'Decided') return logged(decision.response);
    const stale = migrations.cache.staleReason;
    if (stale !== undefined)
      return logged(decision.complete({ unknown: `the webhook's migration cache is not current: ${stale}` }));
    if (!migrations.cache.settling(SETTLE_MS)) return logged(decision.complete(migrations.list()));
    return migrations.listLive().then(
      (live) => logged(decision.complete(live)),
      (e: unknown) => logged(decision.complete({ unknown: `the migrations could not be read: ${errorMessage(e)}` })),
    );
  };

const admissionServer = ({ f, log }: Context, credentials: ServingCredentials, caches: Caches): AdmissionServer => {
  const { migrations, crd, kubevirt } = caches;
  const metrics = webhookMetrics({
    all: () => migrations.cache.list().length,
    inProgress: () => migrations.list().length,
    // the conditions under which review() completes a change with migrations.list()
    answersFromCache: () => migrations.cache.staleReason === undefined && !migrations.cache.settling(SETTLE_MS),
  });
  // ready only while the migrations cache is current: a stale one cannot vouch for "no migration in progress"
  // and not ready once shutdown began, so that the Service sends reviews to another replica
  const ready = (): boolean =>
    !server.draining() && migrations.cache.fresh && crd.cache.synced && kubevirt.cache.synced;
  const server = createAdmissionServer({
    credentials,
    path: '/validate',
    requestTimeoutMs: f['request-timeout'] * 1000,
    drainDelayMs: f['shutdown-delay'] * 1000,
    // after that the API server has given up on the request anyway
    inFlightTimeoutMs: f['registration-timeout'] * 1000,
    review: review(caches, log, metrics.denied),
    other: (req, res) => serveProbes({ ready, registry: metrics.registry }, req, res),
    onOutcome: (o) => {
      metrics.record(o);
      if (o.result === 'rejected') log.warn('rejected a request', { status: o.status, reason: o.reason });
      if (o.result === 'error') log.error('internal error while reviewing', { reason: o.reason });
    },
  });
  return server;
};

/** Whether the release is going away (always, without --owner-deployment). */
const releaseGone = ({ f, http, namespace }: Context): (() => Promise<boolean>) => {
  const owner = f['owner-deployment'];
  return owner === undefined ? () => Promise.resolve(true) : () => deploymentGone(http, namespace ?? '', owner);
};

/** Keeps the registration (with --register-service or --register-url), following the serving CA. */
const keepRegistration = async (
  ctx: Context,
  port: number,
  credentials: ServingCredentials,
): Promise<RegistrationKeeper | undefined> => {
  const { f, http, log } = ctx;
  const endpoint = endpointOf(f, port);
  if (endpoint === undefined) return undefined;
  const registration = new RegistrationKeeper(http, {
    spec: {
      name: f.registration,
      settingName: SETTING_NAME,
      endpoint,
      timeoutSeconds: f['registration-timeout'],
      ...(f['ca-injected-from'] === undefined ? {} : { injectCaFrom: f['ca-injected-from'] }),
    },
    caBundle: () => credentials.caBundle(),
    onRepaired: (what) => log.warn('registration repaired', { what }),
    onError: (message) => log.error(message),
    onCaBundleUpdated: () =>
      log.info('registration caBundle updated to the serving CA bundle', { registration: f.registration }),
    onReleaseGone: () =>
      log.warn('the registration was deleted with the release (its Deployment is gone): not created again'),
    ...(f['owner-deployment'] === undefined ? {} : { release: { gone: releaseGone(ctx), delayMs: 3000 } }),
  });
  credentials.onChange(() => registration.refresh());
  await registration.start();
  log.info('keeping the registration', { registration: f.registration, endpoint });
  return registration;
};

/** Stops keeping the registration first (so that an uninstall is not undone), then removes it if the release is going away. */
const releaseRegistration = async (ctx: Context, registration: RegistrationKeeper): Promise<void> => {
  const { f, http, log } = ctx;
  await registration.stop();
  const remove = await releaseGone(ctx)().catch((e: unknown) => {
    log.error('could not tell whether the release is being removed; keeping the registration', {
      error: errorMessage(e),
    });
    return false;
  });
  if (!remove) return;
  await removeRegistration(http, f.registration).then(
    () => log.info('registration removed', { registration: f.registration }),
    (e: unknown) => log.error('could not remove the registration', { error: errorMessage(e) }),
  );
};

/** What runs until shutdown. */
interface Running {
  readonly credentials: ServingCredentials;
  readonly caches: Caches;
  readonly server: AdmissionServer;
  readonly registration: RegistrationKeeper | undefined;
}

const shutdown =
  (ctx: Context, r: Running) =>
  async (signal: string): Promise<void> => {
    const { log } = ctx;
    log.info('shutting down', { signal, drainSeconds: ctx.f['shutdown-delay'] });
    // not ready and answering with Connection: close from now on, while the registration is released
    const closed = r.server.close();
    if (r.registration !== undefined) await releaseRegistration(ctx, r.registration);
    await closed;
    await Promise.all([
      r.caches.migrations.cache.stop(),
      r.caches.crd.cache.stop(),
      r.caches.kubevirt.cache.stop(),
      r.credentials.stop(),
    ]);
    log.info('stopped');
  };

const main = async (f: Flags): Promise<void> => {
  const log = createLogger('kubevirt-migration-webhook', { level: isLevel(f['log-level']) ? f['log-level'] : 'info' });
  checkInputFiles(f);
  const connection = loadConnection({ kubeconfig: f.kubeconfig, context: f.context });
  const ctx: Context = {
    f,
    http: new KubeHttp(connection, { fieldManager: FIELD_MANAGER }),
    namespace: namespaceOf(f, connection),
    log,
  };
  const credentials = await servingCredentials(ctx);
  const caches = await startCaches(ctx, connection);
  const server = admissionServer(ctx, credentials, caches);
  const port = await listen(server.server, f.port, f['listen-address'], 'admission reviews');
  log.info('serving', { address: f['listen-address'], port, path: '/validate' });
  const registration = await keepRegistration(ctx, port, credentials);
  // the drain delay, requests in flight, then the caches and the registration: with time to spare
  onShutdown(
    shutdown(ctx, { credentials, caches, server, registration }),
    (f['shutdown-delay'] + f['registration-timeout'] + 10) * 1000,
  );
};

runMain({
  command: 'kubevirt-migration-webhook',
  summary: 'Validates changes of the kubevirt-migration Setting (a validating admission webhook over HTTPS).',
  flags: FLAGS,
  main,
  check,
});
