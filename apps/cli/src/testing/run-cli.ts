import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository root, seen from the CLI's sources. */
export const repoRoot = join(__dirname, '..', '..', '..', '..');

/** Runs the built CLI as a user would, with a bare environment (`env` adds to it): its exit code and output. */
export const runCli = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'apps', 'cli', 'bin', 'kubevirt-migration.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
