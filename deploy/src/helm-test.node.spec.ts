import { testKubeconfigPath, until } from '@kubevirt-migration/control-plane/testing';

import { type HelmRun, helmRun } from './testing/helm.js';
import { closeConnectionsTo } from './testing/host-processes.js';
import {
  kubectl,
  kubectlJson,
  kubectlOk,
  PREPARE_KUBECTL_MS,
  prepareKubectl,
  removeKubectlHome,
} from './testing/kubectl.js';
import { NAMESPACE, RELEASE, WEBHOOK_SERVICE as SERVICE } from './testing/release-pods.js';

/**
 * The chart's `helm test` on the node: its Pod runs the image's check, which dry-runs a patch of
 * the Setting through the API server and passes only on the webhook's own answer.
 */
/** A selector label no pod carries: the webhook's Service then leads nowhere. */
const NOWHERE = 'kubevirt-migration.test/nowhere';

const helmTest = (): Promise<HelmRun> =>
  helmRun(['test', RELEASE, '--namespace', NAMESPACE, '--logs', '--timeout', '3m'], testKubeconfigPath());
/** kubectl's arguments for a patch of the webhook's Service. */
const patchService = (type: 'merge' | 'json', patch: unknown): string[] => [
  '-n',
  NAMESPACE,
  'patch',
  'service',
  SERVICE,
  '--type',
  type,
  '-p',
  JSON.stringify(patch),
];
const output = (r: HelmRun): string => `${r.stdout}\n${r.stderr}`;

beforeAll(prepareKubectl, PREPARE_KUBECTL_MS);
afterAll(() => {
  // a failed test's Pod stays (hook-delete-policy hook-succeeded): never leave one behind
  kubectl([
    '-n',
    NAMESPACE,
    'delete',
    'pod',
    '-l',
    'app.kubernetes.io/component=test',
    '--ignore-not-found',
    '--wait=false',
  ]);
  removeKubectlHome();
});

describe('helm test', () => {
  it('passes on the working install, on the webhook’s own answer', async () => {
    const r = await helmTest();
    expect({ code: r.code, output: output(r) }).toMatchObject({
      code: 0,
      output: expect.stringContaining('Phase:          Succeeded'),
    });
    expect(r.stdout).toContain('webhook kubevirt-migration.harvesterhci.io answered through the API server');
  });

  it('fails, with the API server’s words, while the webhook’s Service leads to no pod; passes again once it is restored', async () => {
    kubectlOk(patchService('merge', { spec: { selector: { [NOWHERE]: 'true' } } }));
    let broken: HelmRun;
    try {
      // new connections follow the Service at once; the API server's kept-alive one still leads to a
      // webhook pod until it is idle for the webhook's 30 s: closed here, as an API server restart would
      const ip = kubectlJson<{ spec: { clusterIP: string } }>(['-n', NAMESPACE, 'get', 'service', SERVICE]).spec
        .clusterIP;
      await until('the API server to find no webhook behind the Service', () => {
        closeConnectionsTo(ip, 443);
        const probe = kubectl([
          'patch',
          'settings.harvesterhci.io',
          'kubevirt-migration',
          '--dry-run=server',
          '--type',
          'merge',
          '-p',
          '{"value":"{}"}',
        ]);
        return probe.stderr.includes('failed calling webhook');
      });
      broken = await helmTest();
      process.stderr.write(`helm test with the Service pointed nowhere:\n${output(broken)}\n`);
    } finally {
      kubectl(patchService('json', [{ op: 'remove', path: `/spec/selector/${NOWHERE.replace('/', '~1')}` }]));
    }
    expect(broken.code).not.toBe(0);
    expect(output(broken)).toContain('Phase:          Failed');
    // the check's one line: the API server's answer on why the webhook could not be called
    expect(output(broken)).toMatch(
      /webhook kubevirt-migration\.harvesterhci\.io unreachable: .*failed calling webhook "kubevirt-migration\.harvesterhci\.io"/,
    );
    const restored = await helmTest();
    expect({ code: restored.code, output: output(restored) }).toMatchObject({ code: 0 });
  });
});
