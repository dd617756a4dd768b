import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { testKubeHttp, until } from '@kubevirt-migration/control-plane/testing';
import type { KubeHttp } from '@kubevirt-migration/k8s-adapter';

import { chartDir, goModuleDir, helm, installOptionalFeatureCrds, repoRoot } from './testing/helm.js';
import { kubeconformLocation, writeKubeconformSchemas } from './testing/openapi-schemas.js';

const run = promisify(execFile);

/**
 * kube-score's findings this chart accepts, by check, each with the reason. Any other finding (a
 * new check failing, or one of these on another object) fails the test.
 */
const ACCEPTED: Readonly<Record<string, { readonly on: RegExp; readonly why: string }>> = {
  'container-image-pull-policy': {
    on: /^(Deployment|Pod)\/.*-kubevirt-migration-(controller|webhook|test)$/,
    why:
      'IfNotPresent, with a version tag or (in a release) a digest, which never change: Always would add a registry round trip to every start of a ' +
      'failurePolicy Fail webhook and make a registry outage a webhook outage. image.pullPolicy sets it (ci/every-option-values.yaml: Always).',
  },
  'container-ephemeral-storage-request-and-limit': {
    on: /^(Deployment|Pod)\/.*-kubevirt-migration-(controller|webhook|test)$/,
    why:
      'read-only root file systems and no volume written: the containers write nothing but their logs, which the kubelet rotates; ' +
      'a limit would add a way to be evicted and nothing to protect. <app>.resources takes one for a cluster that requires it.',
  },
  'pod-networkpolicy': {
    on: /^(Deployment|Pod)\/.*-kubevirt-migration-(controller|webhook|test)$/,
    why:
      'NetworkPolicies are opt-in (networkPolicy.enabled), and ingress only: every pod talks only to the API server, whose address differs by ' +
      'cluster, and a policy that cut a failurePolicy Fail webhook off from it would lock the Setting. The test Pod takes no connection.',
  },
  'deployment-has-host-podantiaffinity': {
    on: /^Deployment\/.*-kubevirt-migration-(controller|webhook)$/,
    why:
      'the replicas are spread over nodes by a topologySpreadConstraint on kubernetes.io/hostname (ScheduleAnyway), which this check does not read; ' +
      'a required anti-affinity would leave replicas Pending on a one-node cluster.',
  },
};

/** The ci/ values files: each is rendered and checked. */
const CI_VALUES = readdirSync(join(chartDir, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();

/** kube-score and kubeconform, built from the Go module proxy by the project's script (pinned, cached). */
const buildCheckers = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      [join(repoRoot, 'control-plane', 'scripts', 'build-binaries.sh'), 'kube-score', 'kubeconform'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').pop() ?? '')
        : reject(new Error(`building kube-score and kubeconform failed (exit ${code}):\n${err.slice(-3000)}`)),
    );
  });

interface KubeScoreObject {
  readonly object_name: string;
  readonly type_meta: { readonly kind: string };
  readonly checks: readonly {
    readonly check: { readonly id: string };
    readonly grade: number;
    readonly skipped: boolean;
    readonly comments: readonly { readonly summary: string }[] | null;
  }[];
}

/** kube-score's grade of a passed check (1: critical, 5: warning, 7: almost OK). */
const ALL_OK = 10;

describe('external checks of every ci/ render: kube-score and kubeconform (strict, schemas from the API server)', () => {
  let bin: string;
  let schemas: string;
  let http: KubeHttp;

  beforeAll(
    async () => {
      http = testKubeHttp();
      bin = await buildCheckers();
      // the optional features' kinds too: the API server then serves their CRDs' schemas
      await installOptionalFeatureCrds(http);
      // the API server publishes a CRD's OpenAPI a moment after the CRD is established
      await until(
        'the OpenAPI v3 of the optional features’ CRDs',
        async () => {
          const paths = Object.keys(
            ((await http.request('read the OpenAPI v3 index', 'GET', '/openapi/v3')) as { paths: object }).paths,
          );
          return paths.includes('apis/cert-manager.io/v1') && paths.includes('apis/monitoring.coreos.com/v1');
        },
        60000,
      );
      schemas = mkdtempSync(join(tmpdir(), 'kubevirt-migration-schemas-'));
      expect(await writeKubeconformSchemas(http, schemas)).toBeGreaterThan(50);
    },
    30 * 60 * 1000,
  );
  afterAll(() => http.close());

  const renderToFile = async (values: string): Promise<string> => {
    const file = join(mkdtempSync(join(tmpdir(), 'kubevirt-migration-render-')), 'chart.yaml');
    writeFileSync(
      file,
      await helm(['template', 'kvm', chartDir, '--namespace', 'kvm', '-f', join(chartDir, 'ci', values)]),
    );
    return file;
  };

  /** A checker's JSON report (kubeconform and kube-score exit non-zero when they find something). */
  const reportOf = async <T>(tool: string, args: readonly string[]): Promise<T> => {
    const { stdout } = await run(join(bin, tool), [...args]).catch((e: { stdout?: string }) => ({
      stdout: e.stdout ?? '',
    }));
    return JSON.parse(stdout) as T;
  };
  /** kubeconform -strict over `file` with the API server's schemas. */
  const kubeconform = <T>(file: string, ...flags: string[]): Promise<T> =>
    reportOf<T>('kubeconform', [
      '-strict',
      ...flags,
      '-output',
      'json',
      '-schema-location',
      kubeconformLocation(schemas),
      file,
    ]);

  it.each(CI_VALUES)('kubeconform -strict finds ci/%s valid, every kind known', async (values) => {
    const file = await renderToFile(values);
    const report = await kubeconform<{
      resources: { kind: string; name: string; status: string; msg: string }[];
      summary: { valid: number };
    }>(file, '-summary');
    expect(
      report.resources
        .filter((r) => r.status !== 'statusValid')
        .map((r) => `${r.kind} ${r.name}: ${r.status} ${r.msg}`),
    ).toEqual([]);
    expect(report.summary.valid).toBeGreaterThan(10);
  });

  it('kubeconform with these schemas refuses what the API server would: a misspelt field, a wrong type, an unknown kind', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kubevirt-migration-render-')), 'bad.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 443, targetPortt: 1}]}',
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {minAvailable: 1, unhealthyPodEvictionPolicy: [x]}',
        'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: c}\nspec: {selector: {}, endpoints: [{port: x, tlsConfig: {insecureSkipVerifyy: true}}]}',
        'apiVersion: example.com/v1\nkind: Unknown\nmetadata: {name: d}',
      ].join('\n---\n'),
    );
    const report = await kubeconform<{ resources: { kind: string; status: string }[] }>(file);
    expect(report.resources.map((r) => `${r.kind}: ${r.status}`).sort()).toEqual([
      'PodDisruptionBudget: statusInvalid',
      'Service: statusInvalid',
      'ServiceMonitor: statusInvalid',
      'Unknown: statusError',
    ]);
  });

  it.each(CI_VALUES)('kube-score finds nothing in ci/%s beyond the findings this chart accepts', async (values) => {
    const file = await renderToFile(values);
    const scored = await reportOf<KubeScoreObject[]>('kube-score', ['score', '--output-format', 'json', file]);
    const findings = scored.flatMap((o) =>
      o.checks
        .filter((c) => !c.skipped && c.grade < ALL_OK)
        .map((c) => ({
          id: c.check.id,
          object: o.object_name,
          says: (c.comments ?? []).map((m) => m.summary).join('; '),
        })),
    );
    const unexplained = findings
      .filter((f) => !(ACCEPTED[f.id]?.on.test(f.object) ?? false))
      .map((f) => `${f.id} on ${f.object}: ${f.says}`);
    expect(unexplained).toEqual([]);
  });
});

/** chart-testing's lint rules, from its Go module (`etc/`): what `ct lint` runs besides helm lint. */
const CHART_TESTING = 'github.com/helm/chart-testing/v3@v3.14.0';

describe('chart-testing’s lint rules (ct lint): yamllint with its lintconf, yamale with its chart schema', () => {
  let tools: string;
  let etc: string;

  beforeAll(
    async () => {
      const { stdout } = await run('bash', [join(repoRoot, 'deploy', 'scripts', 'chart-lint-tools.sh')], {
        timeout: 10 * 60 * 1000,
      });
      tools = stdout.trim().split('\n').pop() ?? '';
      etc = join(await goModuleDir(CHART_TESTING), 'etc');
    },
    15 * 60 * 1000,
  );

  const lint = (tool: 'yamllint' | 'yamale', args: readonly string[]) =>
    run(join(tools, tool), [...args]).then(
      () => 'passed',
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`.trim(),
    );

  it('finds Chart.yaml, values.yaml and every ci/ values file clean', async () => {
    const files = ['Chart.yaml', 'values.yaml', ...CI_VALUES.map((f) => join('ci', f))].map((f) => join(chartDir, f));
    expect(await lint('yamllint', ['-c', join(etc, 'lintconf.yaml'), ...files])).toBe('passed');
    expect(await lint('yamale', ['-s', join(etc, 'chart_schema.yaml'), join(chartDir, 'Chart.yaml')])).toBe('passed');
  });

  it('would find a maintainer without a name and a line with trailing spaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-ct-'));
    copyFileSync(join(chartDir, 'Chart.yaml'), join(dir, 'Chart.yaml'));
    writeFileSync(
      join(dir, 'Chart.yaml'),
      readFileSync(join(dir, 'Chart.yaml'), 'utf8').replace(
        '  - name: kubevirt-migration maintainers\n    url:',
        '  - url:',
      ),
    );
    expect(await lint('yamale', ['-s', join(etc, 'chart_schema.yaml'), join(dir, 'Chart.yaml')])).toMatch(
      /maintainers\.0\.name: Required field missing/,
    );
    writeFileSync(join(dir, 'values.yaml'), 'a: 1   \n');
    expect(await lint('yamllint', ['-c', join(etc, 'lintconf.yaml'), join(dir, 'values.yaml')])).toMatch(
      /trailing spaces/,
    );
  });
});
