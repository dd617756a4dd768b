import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const repoRoot = join(__dirname, '..', '..');

/** Builds the image with the recipe README gives users; returns the digest it prints. */
const build = (output: string): string =>
  execFileSync(process.execPath, [join(repoRoot, 'tools', 'image.mjs'), '--output', output], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

interface Descriptor {
  readonly digest: string;
  readonly annotations?: Record<string, string>;
}
const blobPath = (layout: string, d: Descriptor): string =>
  join(layout, 'blobs', 'sha256', d.digest.slice('sha256:'.length));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** `ls -l`-style lines of a gzip'd layer, as GNU tar lists them: mode, owner/group, path. */
const listing = (layer: string): string[] =>
  execFileSync('tar', ['-tvzf', layer, '--numeric-owner'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, , , , ...rest] = line.split(/\s+/);
      return `${mode ?? ''} ${owner ?? ''} ${rest.join(' ')}`;
    });

describe('the image archive built without Docker (tools/image.mjs)', () => {
  let work: string;
  let digest: string;
  let layout: string;
  let layers: string[];
  let rootfs: string;

  beforeAll(
    () => {
      work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-image-archive-'));
      digest = build(join(work, 'first.oci.tar'));
      layout = join(work, 'layout');
      mkdirSync(layout);
      execFileSync('tar', ['-xf', join(work, 'first.oci.tar'), '-C', layout]);
      const index = readJson<{ manifests: Descriptor[] }>(join(layout, 'index.json'));
      const manifest = readJson<{ layers: Descriptor[] }>(blobPath(layout, index.manifests[0] ?? { digest: '' }));
      layers = manifest.layers.map((l) => blobPath(layout, l));
      rootfs = join(work, 'rootfs');
      mkdirSync(rootfs);
      for (const layer of layers) execFileSync('tar', ['-xzf', layer, '-C', rootfs]);
    },
    10 * 60 * 1000,
  );

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it(
    'gives the same digest, byte for byte the same archive, when built again from the same inputs',
    () => {
      const again = build(join(work, 'second.oci.tar'));
      expect(again).toBe(digest);
      expect(readFileSync(join(work, 'second.oci.tar')).equals(readFileSync(join(work, 'first.oci.tar')))).toBe(true);
    },
    10 * 60 * 1000,
  );

  it('is an OCI layout whose index names the image for containerd and podman, and whose manifest is the printed digest', () => {
    const index = readJson<{ manifests: Descriptor[] }>(join(layout, 'index.json'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.digest).toBe(digest);
    expect(index.manifests[0]?.annotations?.['io.containerd.image.name']).toMatch(
      /^ghcr\.io\/kubevirt-migration\/kubevirt-migration:\d/,
    );
    expect(readJson<object>(join(layout, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    // docker load (before Docker 25) reads manifest.json
    const docker = readJson<{ Layers: string[] }[]>(join(layout, 'manifest.json'));
    expect(docker[0]?.Layers.map((l) => join(layout, l))).toEqual(layers);
  });

  it('runs as 65532:65532 with the pinned Node as entry point', () => {
    const index = readJson<{ manifests: Descriptor[] }>(join(layout, 'index.json'));
    const manifest = readJson<{ config: Descriptor }>(blobPath(layout, index.manifests[0] ?? { digest: '' }));
    const config = readJson<{ config: { User: string; Entrypoint: string[] } }>(blobPath(layout, manifest.config));
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['/nodejs/bin/node']);
    const pinned = readJson<{ devDependencies: Record<string, string> }>(join(repoRoot, 'package.json'))
      .devDependencies['node'];
    const version = execFileSync(join(rootfs, 'lib64', 'ld-linux-x86-64.so.2'), [
      '--library-path',
      `${join(rootfs, 'lib', 'x86_64-linux-gnu')}:${join(rootfs, 'usr', 'lib', 'x86_64-linux-gnu')}`,
      join(rootfs, 'nodejs', 'bin', 'node'),
      '--version',
    ]).toString();
    // the image's Node runs on the image's own glibc and C++ runtime
    expect(version.trim()).toBe(`v${pinned ?? '?'}`);
  });

  it('has no shell and no package manager, only Debian’s libraries, certificates and time zones besides Node and /app', () => {
    for (const program of [
      'bin/sh',
      'bin/bash',
      'bin/dash',
      'usr/bin/sh',
      'usr/bin/apt',
      'usr/bin/apt-get',
      'usr/bin/dpkg',
      'bin/busybox',
    ])
      expect(existsSync(join(rootfs, program))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8')).toContain('nonroot:x:65532:65532:');
    expect(
      readFileSync(join(rootfs, 'etc', 'ssl', 'certs', 'ca-certificates.crt'), 'utf8').match(/BEGIN CERTIFICATE/g)
        ?.length,
    ).toBeGreaterThan(100);
    expect(existsSync(join(rootfs, 'usr', 'share', 'zoneinfo', 'Europe', 'Paris'))).toBe(true);
  });

  it('holds /app read-only and owned by root, and the home folder owned by 65532', () => {
    const all = layers.flatMap(listing);
    const app = all.filter((line) => / app\//.test(line));
    expect(app.length).toBeGreaterThan(4);
    for (const line of app) expect(line).toMatch(/^[d-]r-xr-xr-x 0\/0 /);
    expect(all).toContain('drwx------ 65532/65532 home/nonroot/');
    expect(all.filter((line) => !/^\S+ 0\/0 /.test(line))).toEqual(['drwx------ 65532/65532 home/nonroot/']);
  });
});

interface TarEntry {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly data?: Buffer;
  readonly target?: string;
}

describe('the image’s tar writer (tools/image/tar.mjs), read back by GNU tar', () => {
  let writeTar: (entries: readonly TarEntry[]) => Buffer;
  let work: string;

  beforeAll(async () => {
    const module = join(repoRoot, 'tools', 'image', 'tar.mjs');
    ({ writeTar } = (await import(module)) as { writeTar: typeof writeTar });
    work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-tar-'));
  });

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  const long = (n: number): string => Array.from({ length: n }, (_, i) => `d${i}`.padEnd(9, 'x')).join('/');

  it('keeps every path (split into prefix and name, or in a PAX record when too long), link target, owner and mode', () => {
    const medium = `${long(12)}/file`; // over 100 bytes: ustar's prefix field
    const huge = `${long(40)}/file`; // over 255 bytes: a PAX path record
    const entries: TarEntry[] = [
      { path: 'home', type: 'dir', mode: 0o755 },
      { path: 'home/nonroot', type: 'dir', mode: 0o700, uid: 65532, gid: 65532 },
      { path: 'bin/tool', type: 'file', mode: 0o755, data: Buffer.from('#!') },
      { path: medium, type: 'file', mode: 0o644, data: Buffer.from('medium') },
      { path: huge, type: 'file', mode: 0o644, data: Buffer.from('huge') },
      { path: 'link', type: 'symlink', target: `/${long(20)}` },
    ];
    const archive = join(work, 'x.tar');
    writeFileSync(archive, writeTar(entries));
    const listed = execFileSync('tar', ['-tvf', archive, '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
    expect(listed.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '-rwxr-xr-x 0/0',
      `-rw-r--r-- 0/0`,
      '-rw-r--r-- 0/0',
      'drwxr-xr-x 0/0',
      'drwx------ 65532/65532',
      'lrwxrwxrwx 0/0',
    ]);
    const out = join(work, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    expect(readFileSync(join(out, medium), 'utf8')).toBe('medium');
    expect(readFileSync(join(out, huge), 'utf8')).toBe('huge');
    expect(readlinkSync(join(out, 'link'))).toBe(`/${long(20)}`);
  });

  it('writes the same bytes whatever the order of the entries, and refuses a path given twice', () => {
    const a: TarEntry = { path: 'a', type: 'file', mode: 0o644, data: Buffer.from('a') };
    const b: TarEntry = { path: 'b', type: 'dir', mode: 0o755 };
    expect(writeTar([a, b]).equals(writeTar([b, a]))).toBe(true);
    expect(() => writeTar([a, a])).toThrow('tar: a given twice');
  });
});
