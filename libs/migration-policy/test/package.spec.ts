/**
 * The library as its consumers get it (the Harvester UI first: webpack 5, TypeScript with
 * `moduleResolution: node`): `npm pack`, the tarball installed offline into an empty project with
 * its dependencies (packed from this repository's node_modules), then imported from Node ESM,
 * typechecked under three module resolutions, and bundled for the browser by webpack 5 and esbuild
 * with no Node built-ins, each bundle run in a bare JavaScript context.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

import { build } from 'esbuild';
import webpack from 'webpack';

const ROOT = join(__dirname, '..', '..', '..');
const LIB = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

jest.setTimeout(300000);

const run = (command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> => {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.error !== undefined) throw r.error;
  return r;
};

const npm = (args: readonly string[], cwd: string): string => {
  // the npm that came with the Node running the tests, when it has one beside it
  const r = run('npm', args, cwd);
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${r.stderr}`);
  return r.stdout;
};

/** What a consumer writes: every public entry point used once, with its types. */
const USE_TS = `import * as E from 'fp-ts/lib/Either.js';
import {
  admit,
  decodeConfigText,
  plan,
  settingValueSchema,
  OPTIONS,
  type AdmissionResponse,
  type MigrationConfig,
  type Plan,
  type Violation,
} from '@kubevirt-migration/migration-policy';

const decoded: E.Either<readonly Violation[], MigrationConfig> = decodeConfigText('{"parallelMigrationsPerCluster":0}', 'value');
const count: number = E.isLeft(decoded) ? decoded.left.length : 0;
const response: AdmissionResponse = admit({ operation: 'CREATE', object: { metadata: { name: 'kubevirt-migration' }, value: '{}' }, migrations: [] });
const p: Plan = plan({ setting: undefined, kubevirt: undefined, now: '2026-01-01T00:00:00Z' });
const keys: string[] = OPTIONS.map((o) => o.key);
const schema: Readonly<Record<string, unknown>> = settingValueSchema();
export const summary = [count, response.allowed, p.outcome, keys.length, typeof schema].join(' ');
`;

/** The same, as a browser or Node program: prints what it found. */
const USE_JS = `import { admit, decodeConfigText, OPTIONS } from '@kubevirt-migration/migration-policy';
const decoded = decodeConfigText('{"parallelMigrationsPerCluster":0,"bandwidthPerMigration":"64Mi"}', 'value');
const answer = admit({ operation: 'CREATE', object: { metadata: { name: 'kubevirt-migration' }, value: '{"parallelMigrationsPerCluster":3}' }, migrations: [] });
globalThis.report(decoded._tag + ' ' + decoded.left.map((v) => v.field).join(',') + ' ' + answer.allowed + ' ' + OPTIONS.length);
`;
const EXPECTED = 'Left value.parallelMigrationsPerCluster true 15';

let consumer: string;
let packed: { files: { path: string }[]; filename: string };

beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), 'policy-consumer-'));
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  // `npm pack` alone, from no build at all as on a fresh clone: its prepack script builds the library
  rmSync(join(LIB, 'dist'), { recursive: true, force: true });
  packed = (
    JSON.parse(npm(['pack', '--json', '--pack-destination', work], LIB)) as (typeof packed)[]
  )[0] as typeof packed;
  // its dependencies as tarballs from this repository's node_modules: the install needs no registry
  const deps = ['fp-ts', 'io-ts', 'fast-json-patch'].map((name) => {
    const [tarball] = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work, join(ROOT, 'node_modules', name)], work),
    ) as {
      filename: string;
    }[];
    return join(work, (tarball as { filename: string }).filename);
  });
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  npm(
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      join(work, packed.filename),
      ...deps,
    ],
    consumer,
  );
  writeFileSync(join(consumer, 'use.ts'), USE_TS);
  writeFileSync(join(consumer, 'use.js'), USE_JS);
});

afterAll(() => {
  if (consumer !== undefined) rmSync(join(consumer, '..'), { recursive: true, force: true });
});

describe('the packed library', () => {
  it('holds the compiled JavaScript, its declarations, README and CHANGELOG, and nothing of the build or the tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/plan.js',
      ]),
    );
    expect(files.filter((f) => /tsbuildinfo|\.spec\.|^src\/|testing|^test\//.test(f))).toEqual([]);
  });

  it('imports from Node ESM and works', () => {
    writeFileSync(join(consumer, 'node.mjs'), `globalThis.report = (s) => console.log(s);\n${USE_JS}`);
    const r = run(process.execPath, ['node.mjs'], consumer);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(EXPECTED);
  });

  it('hides its internals: a deep import is refused by the exports map', () => {
    writeFileSync(join(consumer, 'deep.mjs'), "import '@kubevirt-migration/migration-policy/dist/quantity.js';\n");
    expect(run(process.execPath, ['deep.mjs'], consumer).stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it.each<[string, Record<string, unknown>]>([
    // the Harvester UI's setting; TypeScript 6 keeps node10 behind ignoreDeprecations
    ['node10', { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('typechecks a TypeScript consumer with moduleResolution %s', (name, options) => {
    const config = join(consumer, `tsconfig.${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2020',
          lib: ['es2020', 'dom'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    const r = run(process.execPath, [TSC, '-p', config], consumer);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  /** Runs a browser bundle where there is no process, require, Buffer or module: only the language. */
  const runBare = (code: string): string => {
    let reported = '';
    runInNewContext(code, { report: (s: string) => (reported = s) }, { timeout: 10000 });
    return reported;
  };

  it('bundles for the browser with esbuild, no Node built-in in it, and runs', async () => {
    const result = await build({
      entryPoints: [join(consumer, 'use.js')],
      absWorkingDir: consumer,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(
      Object.keys(result.metafile.inputs).filter(
        (f) => f.startsWith('node:') || (!f.startsWith('node_modules/') && f !== 'use.js'),
      ),
    ).toEqual([]);
    expect(runBare(result.outputFiles[0]?.text ?? '')).toBe(EXPECTED);
  });

  it('bundles for the browser with webpack 5 (which has no Node polyfills), and runs', async () => {
    const out = join(consumer, 'webpack-out');
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          target: 'web',
          context: consumer,
          entry: './use.js',
          output: { path: out, filename: 'bundle.js', iife: true },
          devtool: false,
        },
        (err, s) => (err !== null || s === undefined ? reject(err ?? new Error('webpack gave no stats')) : resolve(s)),
      ),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true, modules: true });
    expect(info.errors ?? []).toEqual([]);
    expect(info.warnings ?? []).toEqual([]);
    expect((info.modules ?? []).map((m) => m.name ?? '').filter((n) => /^(node:|external )/.test(n))).toEqual([]);
    expect(runBare(readFileSync(join(out, 'bundle.js'), 'utf8'))).toBe(EXPECTED);
  });
});
