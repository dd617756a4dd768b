import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AdmissionregistrationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createPki, freePort, ManagedProcess, webhookAnswers } from '@kubevirt-migration/control-plane';
import {
  customApi,
  freshNamespace,
  testKubeConfig,
  testKubeconfigPath,
  testKubeHttp,
  until,
} from '@kubevirt-migration/control-plane/testing';
import type { KubeHttp } from '@kubevirt-migration/k8s-adapter';

import { chartDir, helm, parseManifests, repoRoot } from './testing/helm.js';
import { asIdentity, identityHttp, refusal, restoreSeededState, settingPatch } from './testing/identities.js';
import { parallelMigrationsPerCluster } from './testing/kubevirt.js';

describe('helm install into the API server, the apps running under the identities it grants', () => {
  const release = 'kvm';
  let kc: KubeConfig;
  let namespace: string;
  let port: number;
  let saRoot: string;
  const processes: ManagedProcess[] = [];
  let tokens: Record<'controller' | 'webhook', string>;
  const admin = () => kc.makeApiClient(CoreV1Api);
  let http: KubeHttp;
  /** A TokenRequest token of one of the release's ServiceAccounts. */
  const token = async (sa: string): Promise<string> =>
    (
      await admin().createNamespacedServiceAccountToken({
        name: sa,
        namespace,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      })
    ).status?.token ?? '';

  /** The container of a Deployment the chart installed, as `helm get manifest` shows it. */
  const container = async (component: 'controller' | 'webhook') => {
    const manifests = parseManifests(
      await helm(['get', 'manifest', release, '--namespace', namespace], testKubeconfigPath()),
    );
    const d = manifests.find(
      (m) => m.kind === 'Deployment' && m.metadata.name === `${release}-kubevirt-migration-${component}`,
    );
    const spec = (
      d?.['spec'] as
        | { template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } } }
        | undefined
    )?.template.spec;
    const c = spec?.containers[0];
    if (c === undefined) throw new Error(`no ${component} Deployment in the release`);
    return c;
  };

  /**
   * Runs an app as its pod would: the in-cluster environment (service account files with a
   * TokenRequest token, KUBERNETES_SERVICE_HOST/PORT), the chart's arguments and environment; only
   * the listening addresses are kept on loopback.
   */
  const runAsPod = async (component: 'controller' | 'webhook', replica: number): Promise<ManagedProcess> => {
    const c = await container(component);
    const server = new URL(kc.getCurrentCluster()?.server ?? '');
    const dir = join(saRoot, `${component}-${replica}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), tokens[component]);
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64'));
    writeFileSync(join(dir, 'namespace'), namespace);
    const probePort = await freePort();
    const args = c.args.slice(1).map((a) =>
      a
        .replace('--listen-address=0.0.0.0', '--listen-address=127.0.0.1')
        .replace('--probe-address=0.0.0.0', '--probe-address=127.0.0.1')
        .replace(/^--probe-port=\d+$/, `--probe-port=${probePort}`),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR: dir,
      POD_NAMESPACE: namespace,
      ...Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value])),
    };
    const program = join(repoRoot, 'apps', component, 'dist', 'main.js');
    const p = new ManagedProcess(
      `${component}-${replica}`,
      [process.execPath, program, ...args],
      join(saRoot, `${component}-${replica}.log`),
      { env },
    );
    processes.push(p);
    if (component === 'controller')
      await p.waitReady(async () => (await fetch(`http://127.0.0.1:${probePort}/readyz`)).ok, 30000);
    return p;
  };

  beforeAll(async () => {
    kc = testKubeConfig();
    http = testKubeHttp();
    namespace = await freshNamespace(kc, 'release');
    port = await freePort();
    saRoot = mkdtempSync(join(tmpdir(), 'kubevirt-migration-pods-'));
    // no kubelet here to route a Service: the registration names the webhook by URL on loopback
    // (the Service form is checked by the dry runs above and by the keeper's specs)
    await helm(
      [
        'install',
        release,
        chartDir,
        '--namespace',
        namespace,
        '--set-string',
        `webhook.url=https://127.0.0.1:${port}/validate`,
        '--set',
        `webhook.port=${port}`,
      ],
      testKubeconfigPath(),
    );
    tokens = {
      controller: await token(`${release}-kubevirt-migration-controller`),
      webhook: await token(`${release}-kubevirt-migration-webhook`),
    };
  }, 120000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await helm(['uninstall', release, '--namespace', namespace], testKubeconfigPath()).catch(() => undefined);
    await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .deleteValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })
      .catch(() => undefined);
    await restoreSeededState(kc);
    http.close();
  });

  it('the webhook makes its certificate in the chart’s Secret and the API server calls it through the chart’s registration', async () => {
    await runAsPod('webhook', 0);
    await until('the API server to reach the webhook', () => webhookAnswers(kc), 30000);
    const secret = await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace });
    const registration = await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    expect(registration.webhooks?.[0]?.clientConfig.caBundle).toBe(secret.data?.['ca.crt']);
    expect(registration.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
  });

  it('two controller replicas apply a Setting change to the KubeVirt CR, with no Forbidden on the way', async () => {
    await Promise.all([runAsPod('controller', 0), runAsPod('controller', 1)]);
    const objects = customApi(kc);
    await objects.patchClusterCustomObject({
      group: 'harvesterhci.io',
      version: 'v1beta1',
      plural: 'settings',
      name: 'kubevirt-migration',
      body: [{ op: 'add', path: '/value', value: '{"parallelMigrationsPerCluster":7}' }],
    });
    await until('the CR to carry the change', async () => (await parallelMigrationsPerCluster(objects)) === 7, 20000);
    const logs = processes.map((p) => readFileSync(p.logFile, 'utf8')).join('\n');
    expect(logs).not.toMatch(/forbidden/i);
    await objects.patchClusterCustomObject({
      group: 'harvesterhci.io',
      version: 'v1beta1',
      plural: 'settings',
      name: 'kubevirt-migration',
      body: [{ op: 'remove', path: '/value' }],
    });
  });

  it('the identities are refused what they must not do', async () => {
    const controller = asIdentity(kc, tokens.controller);
    const webhook = asIdentity(kc, tokens.webhook);
    const setting = (name: string) => settingPatch(name, 'x');
    const cr = {
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'kubevirts',
      namespace: 'harvester-system',
      name: 'kubevirt',
      body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }],
    };
    // a dry run, so that nothing is left behind even if it were allowed; the chart's admission policy
    // is enforced a moment after it is created, so the test waits until it answers (a dry run is
    // admitted exactly as a real create)
    const registerAnother = (): Promise<unknown> =>
      webhook.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
        dryRun: 'All',
        body: {
          metadata: { name: 'intercept.example.com' },
          webhooks: [
            {
              name: 'intercept.example.com',
              admissionReviewVersions: ['v1'],
              sideEffects: 'None',
              clientConfig: { url: 'https://127.0.0.1:1/x' },
              rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'], operations: ['CREATE'] }],
            },
          ],
        },
      });
    await until(
      'the chart’s admission policy to be enforced',
      async () => (await refusal(registerAnother)) !== 'allowed',
      20000,
    );
    const results = {
      'controller patches another Setting': await refusal(() =>
        customApi(controller).patchClusterCustomObject(setting('backup-target')),
      ),
      'controller reads Secrets in kube-system': await refusal(() =>
        controller.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'kube-system' }),
      ),
      'controller reads the webhook’s Secret': await refusal(() =>
        controller
          .makeApiClient(CoreV1Api)
          .readNamespacedSecret({ namespace, name: `${release}-kubevirt-migration-webhook-tls` }),
      ),
      'webhook patches the KubeVirt CR': await refusal(() => customApi(webhook).patchNamespacedCustomObject(cr)),
      'webhook patches the Setting': await refusal(() =>
        customApi(webhook).patchClusterCustomObject(setting('kubevirt-migration')),
      ),
      'webhook reads Secrets of another namespace': await refusal(() =>
        webhook.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'kube-system' }),
      ),
      'webhook reads another Secret of its namespace': await refusal(() =>
        webhook.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: 'other' }),
      ),
      'webhook registers another webhook': await refusal(registerAnother),
    };
    expect(results).toEqual({
      'controller patches another Setting': 'forbidden',
      'controller reads Secrets in kube-system': 'forbidden',
      'controller reads the webhook’s Secret': 'forbidden',
      'webhook patches the KubeVirt CR': 'forbidden',
      'webhook patches the Setting': 'forbidden',
      'webhook reads Secrets of another namespace': 'forbidden',
      'webhook reads another Secret of its namespace': 'forbidden',
      'webhook registers another webhook': expect.stringMatching(/may only keep its own registration/) as unknown,
    });
  });

  it('a deleted registration comes back (with Helm’s ownership), and helm upgrade keeps the CA', async () => {
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const ca = (await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace }))
      .data?.['ca.crt'];
    await api.deleteValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    await until('the webhook to register itself again', () => webhookAnswers(kc), 20000);
    const back = await api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    expect(back.metadata?.annotations?.['meta.helm.sh/release-name']).toBe(release);
    await helm(
      ['upgrade', release, chartDir, '--namespace', namespace, '--reuse-values', '--set', 'logLevel=debug'],
      testKubeconfigPath(),
    );
    expect(
      (await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace })).data?.[
        'ca.crt'
      ],
    ).toBe(ca);
    await until(
      'the registration to carry the CA after the upgrade',
      async () =>
        (await api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })).webhooks?.[0]
          ?.clientConfig.caBundle === ca,
    );
    expect(await webhookAnswers(kc)).toBe(true);
  });

  /** The check `helm test` runs, as its Pod would: the Pod's arguments, its identity's token, the in-cluster environment. */
  const runCheck = async (): Promise<{ readonly code: number; readonly output: string }> => {
    const pod = await admin().readNamespacedPod({ name: `${release}-kubevirt-migration-test`, namespace });
    const args = pod.spec?.containers[0]?.args ?? [];
    expect(args[0]).toBe('/app/webhook/check.js');
    const dir = join(saRoot, 'test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), await token(`${release}-kubevirt-migration-test`));
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64'));
    writeFileSync(join(dir, 'namespace'), namespace);
    const server = new URL(kc.getCurrentCluster()?.server ?? '');
    const env = {
      PATH: process.env['PATH'] ?? '',
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR: dir,
    };
    const program = join(repoRoot, 'apps', 'webhook', 'dist', 'check.js');
    return new Promise((resolve) =>
      execFile(process.execPath, [program, ...args.slice(1)], { env, timeout: 30000 }, (e, stdout, stderr) =>
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1,
          output: `${stdout}${stderr}`.trim(),
        }),
      ),
    );
  };

  it('helm test creates its Pod, which runs the image’s check under the release’s test identity (the Pod itself needs a node to run)', async () => {
    // no kubelet here: the Pod stays Pending and helm test times out; its objects are left for the check below
    await expect(
      helm(['test', release, '--namespace', namespace, '--timeout', '5s'], testKubeconfigPath()),
    ).rejects.toThrow(/timed out|deadline/i);
    const pod = await admin().readNamespacedPod({ name: `${release}-kubevirt-migration-test`, namespace });
    expect(pod.spec?.serviceAccountName).toBe(`${release}-kubevirt-migration-test`);
    expect(existsSync(join(repoRoot, 'apps', 'webhook', 'dist', 'check.js'))).toBe(true);
  });

  it('the check passes, with the webhook’s own answer, while the webhook is reachable and trusted', async () => {
    const result = await runCheck();
    expect(result).toEqual({
      code: 0,
      output: expect.stringMatching(
        /answered through the API server: .*kubevirt-migration\.harvesterhci\.io" denied the request/,
      ) as unknown,
    });
  });

  it('the check’s identity may only dry-run a patch of the one Setting', async () => {
    const tester = asIdentity(kc, await token(`${release}-kubevirt-migration-test`));
    const patch = (name: string) => settingPatch(name, '{}');
    expect({
      'a real patch of the Setting': await refusal(() =>
        customApi(tester).patchClusterCustomObject(patch('kubevirt-migration')),
      ),
      'a dry-run patch of another Setting': await refusal(() =>
        customApi(tester).patchClusterCustomObject({ ...patch('backup-target'), dryRun: 'All' }),
      ),
      'reading the Setting': await refusal(() => customApi(tester).getClusterCustomObject(patch('kubevirt-migration'))),
    }).toEqual({
      'a real patch of the Setting': expect.stringMatching(/may only send dry runs/) as unknown,
      'a dry-run patch of another Setting': 'forbidden',
      'reading the Setting': 'forbidden',
    });
  });

  it('the webhook’s identity cannot change its registration in any way that would stop guarding the Setting', async () => {
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const webhook = identityHttp(await token(`${release}-kubevirt-migration-webhook`));
    const path =
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kubevirt-migration.harvesterhci.io';
    type Hook = Record<string, unknown> & { rules: Record<string, unknown>[]; clientConfig: Record<string, unknown> };
    const tryChange = async (
      change: (o: { metadata: Record<string, unknown>; webhooks: Hook[] }) => void,
    ): Promise<string> => {
      const current = (await http.request('read registration', 'GET', path)) as {
        metadata: Record<string, unknown>;
        webhooks: Hook[];
      };
      change(current);
      return refusal(() => webhook.request('update registration', 'PUT', path, { body: current }));
    };
    const hook = (o: { webhooks: Hook[] }): Hook => o.webhooks[0] ?? { rules: [], clientConfig: {} };
    const rule = (o: { webhooks: Hook[] }): Record<string, unknown> => hook(o).rules[0] ?? {};
    const results = {
      'operations DELETE only': await tryChange((o) => (rule(o)['operations'] = ['DELETE'])),
      'CREATE only': await tryChange((o) => (rule(o)['operations'] = ['CREATE'])),
      'another API version': await tryChange((o) => (rule(o)['apiVersions'] = ['v1'])),
      'another resource': await tryChange((o) => (rule(o)['resources'] = ['secrets'])),
      'a second rule': await tryChange((o) => hook(o).rules.push({ ...rule(o), resources: ['upgrades'] })),
      'failurePolicy Ignore': await tryChange((o) => (hook(o)['failurePolicy'] = 'Ignore')),
      'a false matchCondition': await tryChange(
        (o) => (hook(o)['matchConditions'] = [{ name: 'never', expression: 'false' }]),
      ),
      'no matchCondition': await tryChange((o) => delete hook(o)['matchConditions']),
      'another URL': await tryChange(
        (o) => (hook(o).clientConfig = { ...hook(o).clientConfig, url: 'https://127.0.0.1:1/validate' }),
      ),
      'a Service instead of the URL': await tryChange((o) => {
        const { url: _url, ...rest } = hook(o).clientConfig;
        hook(o).clientConfig = { ...rest, service: { namespace, name: 'elsewhere', port: 443, path: '/validate' } };
      }),
      'a namespaceSelector': await tryChange(
        (o) => (hook(o)['namespaceSelector'] = { matchLabels: { never: 'true' } }),
      ),
      'an objectSelector': await tryChange(
        (o) => (hook(o)['objectSelector'] = { matchExpressions: [{ key: 'x', operator: 'Exists' }] }),
      ),
      'a shorter timeout': await tryChange((o) => (hook(o)['timeoutSeconds'] = 1)),
      'matchPolicy Exact': await tryChange((o) => (hook(o)['matchPolicy'] = 'Exact')),
      'a second webhook': await tryChange((o) => o.webhooks.push({ ...hook(o), name: 'second.harvesterhci.io' })),
      'a label (Helm’s metadata is the webhook’s to keep)': await tryChange(
        (o) => (o.metadata['labels'] = { ...(o.metadata['labels'] as object), extra: 'x' }),
      ),
    };
    webhook.close();
    expect(results).toEqual({
      'operations DELETE only': expect.stringMatching(/may only match CREATE and UPDATE/) as unknown,
      'CREATE only': expect.stringMatching(/may only match CREATE and UPDATE/) as unknown,
      'another API version': expect.stringMatching(/may only match CREATE and UPDATE/) as unknown,
      'another resource': expect.stringMatching(/may only match CREATE and UPDATE/) as unknown,
      'a second rule': expect.stringMatching(/may only match CREATE and UPDATE/) as unknown,
      'failurePolicy Ignore': expect.stringMatching(/failurePolicy must stay Fail/) as unknown,
      'a false matchCondition': expect.stringMatching(/matchConditions must select/) as unknown,
      'no matchCondition': expect.stringMatching(/matchConditions must select/) as unknown,
      'another URL': expect.stringMatching(/must call the webhook where the chart registered it/) as unknown,
      'a Service instead of the URL': expect.stringMatching(
        /must call the webhook where the chart registered it/,
      ) as unknown,
      'a namespaceSelector': expect.stringMatching(/may not narrow itself/) as unknown,
      'an objectSelector': expect.stringMatching(/may not narrow itself/) as unknown,
      'a shorter timeout': expect.stringMatching(/timeoutSeconds must stay/) as unknown,
      'matchPolicy Exact': expect.stringMatching(/timeoutSeconds must stay/) as unknown,
      'a second webhook': expect.stringMatching(/exactly one webhook/) as unknown,
      'a label (Helm’s metadata is the webhook’s to keep)': 'allowed',
    });
    // the registration as the chart made it: the webhook still answers
    expect(
      (await api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })).webhooks?.[0]
        ?.failurePolicy,
    ).toBe('Fail');
    expect(await webhookAnswers(kc)).toBe(true);
  });

  it('the check fails, with the API server’s words, when the webhook is unreachable, then untrusted, then not registered', async () => {
    // the pods stop, their Deployment stays: the registration is kept, and nothing answers at its URL
    await Promise.all(processes.map((p) => p.stop()));
    const unreachable = await runCheck();
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toMatch(
      /webhook kubevirt-migration\.harvesterhci\.io unreachable: .*failed calling webhook.*connection refused/,
    );
    // something else answers at its address, with a certificate of another CA than the registration's caBundle
    const other = createPki(join(saRoot, 'other-pki'));
    const impostor = createServer(
      { cert: readFileSync(other.webhookCert), key: readFileSync(other.webhookKey) },
      (_, res) => res.end('{}'),
    );
    await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
    try {
      const untrusted = await runCheck();
      expect(untrusted.code).toBe(1);
      expect(untrusted.output).toMatch(
        /webhook kubevirt-migration\.harvesterhci\.io unreachable: .*failed calling webhook.*x509: certificate signed by unknown authority/,
      );
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
    await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .deleteValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    await until(
      'the API server to stop calling the webhook',
      async () => (await runCheck()).output.includes('absent'),
      20000,
    );
    const absent = await runCheck();
    expect(absent).toEqual({
      code: 1,
      output: expect.stringMatching(
        /webhook kubevirt-migration\.harvesterhci\.io absent: the API server accepted a value the webhook refuses/,
      ) as unknown,
    });
    // the registration back as Helm owns it, and a webhook again, for the uninstall below
    await helm(['upgrade', release, chartDir, '--namespace', namespace, '--reuse-values'], testKubeconfigPath());
    await runAsPod('webhook', 1);
    await until('the webhook to register itself again', () => webhookAnswers(kc), 30000);
  });

  it('helm uninstall, then the pods stopping: no registration is left behind to block the Setting', async () => {
    await helm(['uninstall', release, '--namespace', namespace], testKubeconfigPath());
    // the uninstall deletes the registration first: the running webhook must not bring it back
    await new Promise((r) => setTimeout(r, 5000));
    // then, as the kubelet would once the Deployments are gone, the pods stop
    await Promise.all(processes.map((p) => p.stop()));
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    await expect(
      api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' }),
    ).rejects.toThrow(/404|not found/i);
  });
});
