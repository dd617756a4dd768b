import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ensureBinaries, quietLog } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';
import { isKind, type KubeHttp } from '@kubevirt-migration/k8s-adapter';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const repoRoot = join(__dirname, '..', '..', '..');
export const chartDir = join(repoRoot, 'deploy', 'kubevirt-migration');

/** One rendered Kubernetes object. */
export type Manifest = Record<string, unknown> & {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string };
};

/** The binary and an empty home, found and made once per test file. */
let setup: Promise<{ readonly binary: string; readonly home: string }> | undefined;

/** What a Helm run printed, and how it ended. */
export interface HelmRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs Helm and gives its output whatever its exit code (`helm test --logs` prints the test's log on failure too). */
export const helmRun = async (args: readonly string[], kubeconfig?: string): Promise<HelmRun> => {
  setup ??= ensureBinaries(repoRoot, quietLog).then((b) => ({
    binary: b.helm,
    home: mkdtempSync(join(tmpdir(), 'kubevirt-migration-helm-')),
  }));
  const { binary, home } = await setup;
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }),
  };
  try {
    const { stdout, stderr } = await run(binary, [...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: (err.stderr ?? '').trim() || err.message,
    };
  }
};

/** Helm, built and cached by control-plane/scripts/build-binaries.sh, run with its own empty home; fails with its stderr. */
export const helm = async (args: readonly string[], kubeconfig?: string): Promise<string> => {
  const r = await helmRun(args, kubeconfig);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

export const parseManifests = (text: string): Manifest[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);

const GO_MODULES = {
  certManager: 'github.com/cert-manager/cert-manager@v1.19.1',
  prometheusOperator: 'github.com/prometheus-operator/prometheus-operator@v0.85.0',
} as const;

/** Where the Go module proxy put a module (downloaded once into the Go module cache). */
export const goModuleDir = async (module: string): Promise<string> => {
  const scratch = mkdtempSync(join(tmpdir(), 'kubevirt-migration-gomod-'));
  const { stdout } = await run('go', ['mod', 'download', '-json', module], {
    cwd: scratch,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const dir = (JSON.parse(stdout) as { Dir?: string; Error?: string }).Dir;
  if (dir === undefined) throw new Error(`go mod download ${module}: ${stdout}`);
  return dir;
};

/**
 * The CRDs of the optional features (cert-manager's Certificate and Issuer, the Prometheus
 * operator's ServiceMonitor and PrometheusRule), as their projects publish them, taken from their Go modules: the
 * dry runs then check those objects against the real schemas.
 */
const optionalFeatureCrds = async (): Promise<Manifest[]> => {
  const certManager = join(await goModuleDir(GO_MODULES.certManager), 'deploy', 'crds');
  const prometheus = join(await goModuleDir(GO_MODULES.prometheusOperator), 'example', 'prometheus-operator-crd');
  const files = [
    ...readdirSync(certManager)
      .filter((f) => f === 'cert-manager.io_certificates.yaml' || f === 'cert-manager.io_issuers.yaml')
      .map((f) => join(certManager, f)),
    join(prometheus, 'monitoring.coreos.com_servicemonitors.yaml'),
    join(prometheus, 'monitoring.coreos.com_prometheusrules.yaml'),
  ];
  return files.flatMap((f) => parseManifests(readFileSync(f, 'utf8')));
};

/** Creates the optional features' CRDs (once per cluster) and waits until the API server serves them. */
export const installOptionalFeatureCrds = async (http: KubeHttp): Promise<void> => {
  for (const crd of await optionalFeatureCrds()) {
    await http
      .request(`create CRD ${crd.metadata.name}`, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        body: crd,
      })
      .catch((e: unknown) => {
        if (!isKind(e, 'AlreadyExists')) throw e;
      });
    await until(`CRD ${crd.metadata.name} to be established`, async () => {
      const got = (await http.request(
        'read CRD',
        'GET',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      )) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
};
