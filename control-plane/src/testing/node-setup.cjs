// Jest global setup of the `node` project: the local cluster with a node (`npm start -- --node`:
// etcd, kube-apiserver, the controller manager, the scheduler, containerd, the kubelet and
// kube-proxy), the image built by tools/image.mjs and the chart installed with its defaults.
// The tests reach it through KUBEVIRT_MIGRATION_TEST_KUBECONFIG like the cluster tests; a cluster
// that cannot start fails each node test with the reason. Needs root.
const { startProgram, stopProgram } = require('./start-program.cjs');

const ENV = 'KUBEVIRT_MIGRATION_TEST_KUBECONFIG';
const ERROR_ENV = 'KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR';
const START_TIMEOUT_MS = 40 * 60 * 1000; // the first run builds the node's components too

module.exports = async function nodeSetup() {
  try {
    process.env[ENV] = await startProgram(['--node'], START_TIMEOUT_MS);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    process.stderr.write(`\nthe local node could not start; the node tests will fail: ${reason}\n`);
    process.env[ERROR_ENV] = reason;
    stopProgram();
  }
};
