import { X509Certificate } from 'node:crypto';

import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freshNamespace, testKubeConfig, testKubeHttp, until } from '@kubevirt-migration/control-plane/testing';

import type { KubeHttp } from '../client/http.js';
import { registrationDrift, RegistrationKeeper, type RegistrationSpec, removeRegistration } from './registration.js';
import { SecretCredentials } from './serving-credentials.js';

const policy = {
  hosts: ['webhook.example.svc', '127.0.0.1'],
  servingLifetimeMs: 365 * 86400_000,
  caLifetimeMs: 3650 * 86400_000,
  caOverlapMs: 3600_000,
};

let kc: KubeConfig;
let http: KubeHttp;
beforeAll(() => {
  kc = testKubeConfig();
  http = testKubeHttp();
});
afterAll(() => http.close());

describe('SecretCredentials (certificates the webhook makes and keeps in a Secret)', () => {
  it('two replicas starting at once into an empty Secret agree on one set, and keep the Secret’s labels', async () => {
    const namespace = await freshNamespace(kc);
    const core = kc.makeApiClient(CoreV1Api);
    // as the chart creates it: no data, Helm's labels
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'tls', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, type: 'Opaque' },
    });
    const a = new SecretCredentials(http, { namespace, name: 'tls', policy });
    const b = new SecretCredentials(http, { namespace, name: 'tls', policy });
    try {
      await Promise.all([a.start(), b.start()]);
      await until('both replicas to serve the same certificate', () => a.pair().cert === b.pair().cert);
      const cert = new X509Certificate(a.pair().cert);
      expect(cert.checkHost('webhook.example.svc')).toBe('webhook.example.svc');
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(cert.checkIssued(new X509Certificate(a.caBundle() ?? ''))).toBe(true);
      const secret = await core.readNamespacedSecret({ namespace, name: 'tls' });
      expect(secret.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' });
      expect(Object.keys(secret.data ?? {}).sort()).toEqual([
        'ca.crt',
        'signing-ca.crt',
        'signing-ca.key',
        'tls.crt',
        'tls.key',
      ]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a restarted replica takes the certificates kept, instead of making new ones', async () => {
    const namespace = await freshNamespace(kc);
    const first = new SecretCredentials(http, { namespace, name: 'tls', policy });
    await first.start();
    const cert = first.pair().cert;
    await first.stop();
    const again = new SecretCredentials(http, { namespace, name: 'tls', policy });
    try {
      await again.start();
      expect(again.pair().cert).toBe(cert);
    } finally {
      await again.stop();
    }
  });

  it('rotates a serving certificate that is due, without a restart, and the CA stays', async () => {
    const namespace = await freshNamespace(kc);
    // a 9-second certificate is due after 6 s; 5 minutes of backdating count in its lifetime
    const short = { ...policy, servingLifetimeMs: 9000 };
    const changes: string[] = [];
    const c = new SecretCredentials(http, { namespace, name: 'tls', policy: short, onChanged: (r) => changes.push(r) });
    let heard = 0;
    c.onChange(() => heard++);
    try {
      await c.start();
      const before = c.pair().cert;
      const ca = c.caBundle();
      await until('a new serving certificate', () => c.pair().cert !== before, 20000);
      expect(heard).toBeGreaterThan(0);
      expect(c.caBundle()).toBe(ca);
      expect(changes.some((r) => r.includes('due for renewal'))).toBe(true);
    } finally {
      await c.stop();
    }
  });

  it('replaces a Secret whose content is unusable (someone wrote garbage into it)', async () => {
    const namespace = await freshNamespace(kc);
    const core = kc.makeApiClient(CoreV1Api);
    const junk = Buffer.from('not a certificate').toString('base64');
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'tls' },
        data: { 'tls.crt': junk, 'tls.key': junk, 'ca.crt': junk, 'signing-ca.crt': junk, 'signing-ca.key': junk },
      },
    });
    const reasons: string[] = [];
    const c = new SecretCredentials(http, { namespace, name: 'tls', policy, onChanged: (r) => reasons.push(r) });
    try {
      await c.start();
      expect(new X509Certificate(c.pair().cert).checkHost('webhook.example.svc')).toBeDefined();
      expect(reasons.join(' ')).toMatch(/unreadable/);
    } finally {
      await c.stop();
    }
  });
});

describe('RegistrationKeeper', () => {
  let api: AdmissionregistrationV1Api;
  beforeAll(() => {
    api = kc.makeApiClient(AdmissionregistrationV1Api);
  });

  const spec = (name: string): RegistrationSpec => ({
    name,
    settingName: 'kubevirt-migration',
    endpoint: {
      service: { namespace: 'kubevirt-migration', name: 'kubevirt-migration-webhook', port: 443, path: '/validate' },
    },
    timeoutSeconds: 10,
  });
  const read = (name: string) => api.readValidatingWebhookConfiguration({ name });
  const unique = () => `keeper-${Math.random().toString(16).slice(2, 8)}.test.harvesterhci.io`;

  it('creates the registration, restores it when altered or deleted, and follows the CA bundle', async () => {
    const name = unique();
    let bundle = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const repaired: string[] = [];
    const keeper = new RegistrationKeeper(http, {
      spec: spec(name),
      caBundle: () => bundle,
      onRepaired: (w) => repaired.push(w),
    });
    try {
      await keeper.start();
      // as the API server stores it (client-node's models add undefined fields)
      const stored = (await http.request(
        'read',
        'GET',
        `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`,
      )) as Record<string, unknown>;
      expect(registrationDrift(spec(name), bundle, stored)).toBeUndefined();
      const created = await read(name);

      // someone bypasses the guard: a selector that matches nothing, and Ignore instead of Fail
      const altered = structuredClone(created);
      const hook = altered.webhooks?.[0];
      if (hook === undefined) throw new Error('no webhook registered');
      hook.failurePolicy = 'Ignore';
      hook.objectSelector = { matchLabels: { never: 'true' } };
      await api.replaceValidatingWebhookConfiguration({ name, body: altered });
      await until(
        'the registration to be restored',
        async () => (await read(name)).webhooks?.[0]?.failurePolicy === 'Fail',
      );
      expect((await read(name)).webhooks?.[0]?.objectSelector).toEqual({});

      await api.deleteValidatingWebhookConfiguration({ name });
      await until('the registration to be created again', () => read(name).then(() => true));

      bundle = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';
      keeper.refresh();
      await until(
        'caBundle to follow',
        async () => (await read(name)).webhooks?.[0]?.clientConfig.caBundle === Buffer.from(bundle).toString('base64'),
      );
      expect(repaired.length).toBeGreaterThanOrEqual(3);
    } finally {
      await keeper.stop();
      await removeRegistration(http, name);
    }
  });

  it('leaves caBundle to cert-manager’s injector when told so, and keeps its annotation', async () => {
    const name = unique();
    const s = { ...spec(name), injectCaFrom: 'kubevirt-migration/kubevirt-migration-webhook' };
    const keeper = new RegistrationKeeper(http, { spec: s, caBundle: () => 'ignored' });
    try {
      await keeper.start();
      const created = await read(name);
      expect(created.metadata?.annotations?.['cert-manager.io/inject-ca-from']).toBe(
        'kubevirt-migration/kubevirt-migration-webhook',
      );
      // the injector writes its bundle: left alone
      const injected = structuredClone(created);
      const hook = injected.webhooks?.[0];
      if (hook === undefined) throw new Error('no webhook registered');
      hook.clientConfig.caBundle = Buffer.from('injected').toString('base64');
      await api.replaceValidatingWebhookConfiguration({ name, body: injected });
      await new Promise((r) => setTimeout(r, 500));
      expect((await read(name)).webhooks?.[0]?.clientConfig.caBundle).toBe(Buffer.from('injected').toString('base64'));
    } finally {
      await keeper.stop();
      await removeRegistration(http, name);
    }
  });

  it('two keepers do not fight', async () => {
    const name = unique();
    const a = new RegistrationKeeper(http, { spec: spec(name), caBundle: () => 'x' });
    const b = new RegistrationKeeper(http, { spec: spec(name), caBundle: () => 'x' });
    try {
      await Promise.all([a.start(), b.start()]);
      const rv = (await read(name)).metadata?.resourceVersion;
      await new Promise((r) => setTimeout(r, 1000));
      expect((await read(name)).metadata?.resourceVersion).toBe(rv);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await removeRegistration(http, name);
    }
  });
});
