import { readFileSync } from 'node:fs';
import { admit, SETTING_NAME, type AdmissionResponse } from '@kubevirt-migration/migration-policy';
import {
  InProgressMigrations,
  KubeHttp,
  SupportedOptionsWatch,
  loadConnection,
  createAdmissionServer,
  errorMessage,
  fileErrorText,
  fileCredentials,
  SecretCredentials,
  RegistrationKeeper,
  removeRegistration,
  deploymentGone,
  type ServingCredentials,
  type WebhookEndpoint,
} from '@kubevirt-migration/k8s-adapter';
import { createLogger, isLevel, LEVELS, listen, onShutdown, runMain, serveProbes, StartupError, type FlagValues } from '@kubevirt-migration/service';
import { webhookMetrics } from './metrics.js';

/** For this long after its migration cache became current again, a change is checked against the API server itself. */
const SETTLE_MS = 30000;
const DAY = 86400;

const FLAGS = {
  kubeconfig: {
    type: 'string',
    help: 'kubeconfig of the cluster to watch (default: $KUBECONFIG, ~/.kube/config, then the pod service account)',
    placeholder: 'FILE',
  },
  context: { type: 'string', help: 'kubeconfig context', placeholder: 'NAME' },
  'listen-address': { type: 'string', default: '127.0.0.1', env: 'WEBHOOK_LISTEN_ADDRESS', help: 'address to serve HTTPS on', placeholder: 'ADDR' },
  port: { type: 'port', default: 9443, env: 'WEBHOOK_PORT', help: 'HTTPS port (0 picks a free one)' },
  'cert-file': { type: 'string', env: 'WEBHOOK_CERT_FILE', help: 'serving certificate, PEM (read again when it changes)', placeholder: 'FILE' },
  'key-file': { type: 'string', env: 'WEBHOOK_KEY_FILE', help: 'its private key, PEM', placeholder: 'FILE' },
  'ca-file': { type: 'string', help: 'the CA that signed the serving certificate, registered as caBundle (read again when it changes)', placeholder: 'FILE' },
  'tls-secret': {
    type: 'string',
    help: "instead of files: make and rotate the certificates in this Secret ([NAMESPACE/]NAME; default namespace: the pod's)",
    placeholder: 'NAME',
  },
  'certificate-lifetime': { type: 'seconds', default: 365 * DAY, help: 'with --tls-secret: lifetime of a serving certificate (renewed with a third left)' },
  'ca-lifetime': { type: 'seconds', default: 3650 * DAY, help: 'with --tls-secret: lifetime of the CA (renewed with a third left)' },
  'ca-overlap': { type: 'seconds', default: 3600, help: 'with --tls-secret: how long a new CA is trusted before it signs what is served' },
  registration: { type: 'string', default: 'kubevirt-migration.harvesterhci.io', help: 'name of the ValidatingWebhookConfiguration kept', placeholder: 'NAME' },
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
  namespace: { type: 'string', env: 'POD_NAMESPACE', help: "namespace of the Secret and the Deployment (default: the pod's)", placeholder: 'NS' },
  'request-timeout': { type: 'seconds', default: 10, help: 'time a client has to send its whole request' },
  'log-level': { type: 'choice', default: 'info', choices: LEVELS, env: 'LOG_LEVEL', help: 'least severe level logged (JSON lines on stdout)' },
} as const;

type Flags = FlagValues<typeof FLAGS>;

const SERVICE_PATTERN = /^([a-z0-9-]+)\/([a-z0-9-]+):(\d{1,5})$/;

const check = (f: Flags): string | undefined => {
  const files = f['cert-file'] !== undefined || f['key-file'] !== undefined;
  if (files && f['tls-secret'] !== undefined) return '--tls-secret and --cert-file/--key-file are alternatives: give one';
  if (!files && f['tls-secret'] === undefined) return 'the webhook needs a certificate: --cert-file and --key-file, or --tls-secret';
  if (files && (f['cert-file'] === undefined || f['key-file'] === undefined)) return '--cert-file and --key-file go together';
  if (f['register-url'] !== undefined && f['register-service'] !== undefined) return '--register-url and --register-service are alternatives: give one';
  if (f['register-service'] !== undefined && !SERVICE_PATTERN.test(f['register-service']))
    return `--register-service must be NAMESPACE/NAME:PORT, not ${JSON.stringify(f['register-service'])}`;
  if (f['registration-timeout'] < 1 || f['registration-timeout'] > 30) return '--registration-timeout must be from 1 to 30 seconds';
  if (f['ca-file'] !== undefined && !files) return '--ca-file goes with --cert-file (with --tls-secret the CA is in the Secret)';
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
  if (f['register-url'] !== undefined) return [new URL(f['register-url'].replace('{port}', '1')).hostname.replace(/^\[|\]$/g, '')];
  return ['localhost'];
};

const splitName = (value: string, namespace: string | undefined, flag: string): { namespace: string; name: string } => {
  const [a, b] = value.includes('/') ? value.split('/', 2) : [namespace, value];
  if (a === undefined || a === '') throw new StartupError(`${flag} ${value}: no namespace given, and not running in a pod (--namespace)`);
  return { namespace: a, name: b ?? '' };
};

const main = async (f: FlagValues<typeof FLAGS>): Promise<void> => {
  const log = createLogger('kubevirt-migration-webhook', { level: isLevel(f['log-level']) ? f['log-level'] : 'info' });
  // every input is checked before anything starts
  if (f['cert-file'] !== undefined) readInput(f['cert-file'], 'serving certificate');
  if (f['key-file'] !== undefined) readInput(f['key-file'], 'private key');
  if (f['ca-file'] !== undefined) readInput(f['ca-file'], 'CA file');
  const connection = loadConnection({ kubeconfig: f.kubeconfig, context: f.context });
  const namespace = f.namespace ?? connection.podNamespace;
  if (f['owner-deployment'] !== undefined && namespace === undefined)
    throw new StartupError('--owner-deployment: no namespace given, and not running in a pod (--namespace)');
  const kc = new KubeHttp(connection);
  const credentialEvents = {
    onError: (message: string) => log.error(message),
    onChanged: (reason: string) => log.info('serving certificate changed', { reason }),
  };
  let credentials: ServingCredentials;
  if (f['cert-file'] !== undefined && f['key-file'] !== undefined) {
    try {
      credentials = fileCredentials(
        { certFile: f['cert-file'], keyFile: f['key-file'], ...(f['ca-file'] === undefined ? {} : { caFile: f['ca-file'] }) },
        credentialEvents,
      );
    } catch (e) {
      throw new StartupError(`serving certificate ${f['cert-file']} with key ${f['key-file']}: ${errorMessage(e)}`);
    }
  } else {
    const secret = splitName(f['tls-secret'] ?? '', namespace, '--tls-secret');
    const hosts = hostsOf(f);
    const policy = { hosts, servingLifetimeMs: f['certificate-lifetime'] * 1000, caLifetimeMs: f['ca-lifetime'] * 1000, caOverlapMs: f['ca-overlap'] * 1000 };
    const own = new SecretCredentials(kc, { ...secret, policy, ...credentialEvents });
    log.info('taking the certificates from Secret', { secret: `${secret.namespace}/${secret.name}`, hosts });
    await own.start();
    credentials = own;
  }
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
    credentials,
    path: '/validate',
    requestTimeoutMs: f['request-timeout'] * 1000,
    // synchronous but for the first 30 s after the cache became current, when a change is checked live
    review: (r) => {
      const base = { operation: r.operation, object: r.object, oldObject: r.oldObject, supportedOptions: crd.options };
      const logged = (response: AdmissionResponse) => {
        if (!response.allowed) {
          metrics.denied(response.status?.reason ?? 'Unknown');
          log.info('denied', { uid: r.uid, operation: r.operation, reason: response.status?.reason, message: response.status?.message });
        }
        return response;
      };
      const stale = migrations.cache.staleReason;
      const response = admit({
        ...base,
        migrations: stale === undefined ? migrations.list() : { unknown: `the webhook's migration cache is not current: ${stale}` },
      });
      // just after the cache became current: a change is checked against the API server itself
      if (stale === undefined && migrations.cache.settling(SETTLE_MS) && admit({ ...base, migrations: { unknown: 'probe' } }).status?.code === 503)
        return migrations.listLive().then(
          (live) => logged(admit({ ...base, migrations: live })),
          (e: unknown) => logged(admit({ ...base, migrations: { unknown: `the migrations could not be read: ${errorMessage(e)}` } })),
        );
      return logged(response);
    },
    other: (req, res) => serveProbes({ ready, registry: metrics.registry }, req, res),
    onOutcome: (o) => {
      metrics.record(o);
      if (o.result === 'rejected') log.warn('rejected a request', { status: o.status, reason: o.reason });
      if (o.result === 'error') log.error('internal error while reviewing', { reason: o.reason });
    },
  });
  const port = await listen(server.server, f.port, f['listen-address'], 'admission reviews');
  log.info('serving', { address: f['listen-address'], port, path: '/validate' });

  const endpoint = endpointOf(f, port);
  const owner = f['owner-deployment'];
  const registration =
    endpoint === undefined
      ? undefined
      : new RegistrationKeeper(
          kc,
          {
            name: f.registration,
            settingName: SETTING_NAME,
            endpoint,
            timeoutSeconds: f['registration-timeout'],
            ...(f['ca-injected-from'] === undefined ? {} : { injectCaFrom: f['ca-injected-from'] }),
          },
          () => credentials.caBundle(),
          {
            onRepaired: (what) => log.warn('registration repaired', { what }),
            onError: (message) => log.error(message),
            onCaBundleUpdated: () => log.info('registration caBundle updated to the serving CA bundle', { registration: f.registration }),
            onReleaseGone: () => log.warn('the registration was deleted with the release (its Deployment is gone): not created again'),
          },
          undefined,
          owner === undefined ? undefined : { gone: () => deploymentGone(kc, namespace ?? '', owner), delayMs: 3000 },
        );
  if (registration !== undefined) {
    credentials.onChange(() => registration.refresh());
    await registration.start();
    log.info('keeping the registration', { registration: f.registration, endpoint });
  }

  onShutdown(async (signal) => {
    log.info('shutting down', { signal });
    // first stop keeping the registration, so that an uninstall is not undone
    await registration?.stop();
    if (registration !== undefined) {
      const remove =
        owner === undefined ||
        (await deploymentGone(kc, namespace ?? '', owner).catch((e: unknown) => {
          log.error('could not tell whether the release is being removed; keeping the registration', { error: errorMessage(e) });
          return false;
        }));
      if (remove)
        await removeRegistration(kc, f.registration).then(
          () => log.info('registration removed', { registration: f.registration }),
          (e: unknown) => log.error('could not remove the registration', { error: errorMessage(e) }),
        );
    }
    await server.close();
    await Promise.all([migrations.cache.stop(), crd.cache.stop(), credentials.stop()]);
    log.info('stopped');
  });
};

runMain('kubevirt-migration-webhook', 'Validates changes of the kubevirt-migration Setting (a validating admission webhook over HTTPS).', FLAGS, main, check);
