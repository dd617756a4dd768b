// Stops the cluster the global setup started: SIGTERM by PID, then waits for it to clean up (a node
// takes longer than a control plane: its containers, mounts, network and cgroups go too).
module.exports = async function globalTeardown() {
  const child = globalThis.__kubevirtMigrationControlPlane;
  globalThis.__kubevirtMigrationControlPlane = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
  await exited;
  clearTimeout(timer);
};
