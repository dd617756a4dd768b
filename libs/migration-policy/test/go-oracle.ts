import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds a Go oracle of this folder (main.go, go.mod, go.sum) from the Go module proxy into the
 * project's cache, once per content: a changed go.mod or main.go is a new binary.
 */
export const buildGoOracle = (folder: string): string => {
  const dir = join(__dirname, folder);
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(dir, f)));
  const cache = join(process.env['KUBEVIRT_MIGRATION_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kubevirt-migration'), folder);
  const binary = join(cache, hash.digest('hex').slice(0, 16));
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const r = spawnSync('go', ['build', '-o', `${binary}.tmp`, '.'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
  });
  if (r.error !== undefined) throw new Error(`cannot run go to build the ${folder}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`building the ${folder} failed:\n${r.stderr}`);
  renameSync(`${binary}.tmp`, binary);
  return binary;
};

/** Runs an oracle over lines of JSON: one answer line for each input line. */
export const askGoOracle = (binary: string, args: readonly string[], inputs: readonly unknown[]): unknown[] => {
  const r = spawnSync(binary, [...args], { input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`the oracle failed: ${r.stderr}`);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
};
