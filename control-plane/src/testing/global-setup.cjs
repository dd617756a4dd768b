// Jest global setup of the `cluster` project: one local control plane for the whole run, started
// as its own process (the bundled `npm start` program with --control-plane-only), so that Jest
// needs no TypeScript here. The kubeconfig reaches the tests through the environment; a kubeconfig
// already given in KUBEVIRT_MIGRATION_TEST_KUBECONFIG (say, of a running `npm start`) is used as is.
// A control plane that cannot start fails the cluster tests, each with the reason, and nothing
// else: the unit tests of the same run still run and report.
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ENV = 'KUBEVIRT_MIGRATION_TEST_KUBECONFIG';
const ERROR_ENV = 'KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR';
const root = join(__dirname, '..', '..', '..');
const program = join(root, 'control-plane', 'dist', 'main.js');
const START_TIMEOUT_MS = 30 * 60 * 1000; // the first run builds kube-apiserver and etcd

module.exports = async function globalSetup() {
  if (process.env[ENV] !== undefined) return;
  try {
    process.env[ENV] = await start();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    process.stderr.write(`\nthe local control plane could not start; the cluster tests will fail: ${reason}\n`);
    process.env[ERROR_ENV] = reason;
    stop();
  }
};

const stop = () => {
  const child = globalThis.__kubevirtMigrationControlPlane;
  if (child !== undefined && child.exitCode === null) child.kill('SIGTERM');
};

const start = async () => {
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\` (npm ci builds it too)`);
  const child = spawn(process.execPath, [program, '--control-plane-only', '--exit-with-stdin'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  globalThis.__kubevirtMigrationControlPlane = child;
  const kubeconfig = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the local control plane did not start in time')), START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('KUBECONFIG='));
      if (line !== undefined && out.includes('\n')) {
        clearTimeout(timer);
        resolve(line.slice('KUBECONFIG='.length));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local control plane exited with code ${code} before it was ready (see its log above)`));
    });
  });
  child.stdout.resume();
  return kubeconfig;
};
