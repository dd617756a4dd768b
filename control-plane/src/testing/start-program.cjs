// Starts the bundled `npm start` program (control-plane/dist/main.js) with `args` as the test run's
// cluster, for the Jest global setups: resolves to its KUBECONFIG line once it prints it. The child
// is kept in globalThis.__kubevirtMigrationControlPlane for the global teardown; it also stops
// when its standard input closes (Jest gone).
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const program = join(root, 'control-plane', 'dist', 'main.js');

const startProgram = async (args, timeoutMs) => {
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\` (npm ci builds it too)`);
  const child = spawn(process.execPath, [program, ...args, '--exit-with-stdin'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  globalThis.__kubevirtMigrationControlPlane = child;
  const kubeconfig = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the local cluster did not start in time')), timeoutMs);
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
      reject(new Error(`the local cluster exited with code ${code} before it was ready (see its log above)`));
    });
  });
  child.stdout.resume();
  return kubeconfig;
};

const stopProgram = () => {
  const child = globalThis.__kubevirtMigrationControlPlane;
  if (child !== undefined && child.exitCode === null) child.kill('SIGTERM');
};

module.exports = { startProgram, stopProgram };
