import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A Go program of test/ (an oracle: code no one here wrote, called from a differential test), built
 * from the Go module proxy with the modules pinned by its go.mod and go.sum, into the project's
 * cache. The binary is named by a hash of its sources, so it is built once, and again only when
 * they (and so the pinned versions) change. The first build downloads the modules: call it from a
 * `beforeAll` with a long timeout (BUILD_TIMEOUT_MS), not from a test.
 */
export const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

export const buildGoOracle = (dir: string, cacheName: string): string => {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(dir, f)));
  const cache = join(
    process.env['KUBEVIRT_MIGRATION_CACHE'] ??
      join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kubevirt-migration'),
    cacheName,
  );
  const binary = join(cache, hash.digest('hex').slice(0, 16));
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  process.stderr.write(
    `building the Go oracle ${cacheName} from the Go module proxy into ${cache} (once; the first build downloads its modules)\n`,
  );
  // go's own progress (each module it downloads) goes straight to the terminal
  const r = spawnSync('go', ['build', '-o', `${binary}.tmp`, '.'], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
  });
  if (r.error !== undefined) throw new Error(`cannot run go to build the Go oracle ${cacheName}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`building the Go oracle ${cacheName} in ${dir} failed (exit ${r.status}): see go's output above`);
  renameSync(`${binary}.tmp`, binary);
  return binary;
};

/** Runs an oracle in one of its modes over lines of JSON: one answer line for each input line. */
export const askGoOracle = (binary: string, args: readonly string[], inputs: readonly unknown[]): unknown[] => {
  const r = spawnSync(binary, [...args], {
    input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error !== undefined) throw new Error(`cannot run the oracle ${binary}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`the oracle failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
};
