// Jest global setup of the `cluster` project: one local control plane for the whole run, started
// as its own process (the bundled `npm start` program with --control-plane-only), so that Jest
// needs no TypeScript here. The kubeconfig reaches the tests through the environment; a kubeconfig
// already given in KUBEVIRT_MIGRATION_TEST_KUBECONFIG (say, of a running `npm start`) is used as is.
// A control plane that cannot start fails the cluster tests, each with the reason, and nothing
// else: the unit tests of the same run still run and report.
const { startProgram, stopProgram } = require('./start-program.cjs');

const ENV = 'KUBEVIRT_MIGRATION_TEST_KUBECONFIG';
const ERROR_ENV = 'KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR';
const START_TIMEOUT_MS = 30 * 60 * 1000; // the first run builds kube-apiserver and etcd

module.exports = async function globalSetup() {
  if (process.env[ENV] !== undefined) return;
  try {
    process.env[ENV] = await startProgram(['--control-plane-only'], START_TIMEOUT_MS);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    process.stderr.write(`\nthe local control plane could not start; the cluster tests will fail: ${reason}\n`);
    process.env[ERROR_ENV] = reason;
    stopProgram();
  }
};
