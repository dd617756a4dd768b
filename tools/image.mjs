#!/usr/bin/env node
// Builds the project's image without Docker or a registry, as an OCI image archive:
//   node tools/image.mjs [--output FILE] [--name REPOSITORY:TAG]
// distroless-style: Debian's libc6, libstdc++6, libgcc-s1, ca-certificates and tzdata (their files,
// no maintainer script, no shell, no package manager), the Node binary the lock file pins (the `node`
// package) as /nodejs/bin/node, and each program's runtime folder as /app; it runs as 65532:65532.
// The same inputs give the same digest. Load it with `docker load -i FILE`, `podman load -i FILE`,
// `skopeo copy oci-archive:FILE docker://REGISTRY/...` or `ctr images import FILE`.
//   node tools/image.mjs --pause BINARY --output FILE --name REPOSITORY:TAG
// builds the local node's sandbox image around the pause program (control-plane/pause).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { downloadPackages, packageEntries } from './image/debian.mjs';
import { ociArchive } from './image/oci.mjs';
import { treeEntries } from './image/tree.mjs';
import { assembleRuntimeFolder } from './runtime-folder.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

/** What distroless's cc image holds (glibc, the C++ runtime) and its base (certificates, time zones). */
export const DEBIAN_PACKAGES = ['libc6', 'libgcc-s1', 'libstdc++6', 'ca-certificates', 'tzdata'];
export const DEFAULT_NAME = `ghcr.io/kubevirt-migration/kubevirt-migration:${version}`;
const NONROOT = 65532;

const cache = () =>
  join(
    process.env['KUBEVIRT_MIGRATION_CACHE'] ??
      join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kubevirt-migration'),
    'debs',
  );

const dir = (path, mode = 0o755, owner = 0) => ({ path, type: 'dir', mode, uid: owner, gid: owner });
const file = (path, text, mode = 0o644) => ({ path, type: 'file', mode, data: Buffer.from(text) });

/** /etc/passwd and /etc/group of distroless (root, nonroot, nobody), the certificate bundle, /tmp and the home folder. */
const baseEntries = (packaged) => {
  const bundle = packaged
    .filter((e) => e.type === 'file' && /^usr\/share\/ca-certificates\/mozilla\/[^/]+\.crt$/.test(e.path))
    .map((e) => e.data.toString().trimEnd() + '\n')
    .join('');
  if (bundle === '') throw new Error('ca-certificates gave no certificate');
  const have = new Set(packaged.map((e) => e.path));
  const extra = [
    dir('etc'),
    dir('etc/ssl'),
    dir('etc/ssl/certs'),
    dir('home'),
    dir('home/nonroot', 0o700, NONROOT),
    dir('tmp', 0o1777),
    file(
      'etc/passwd',
      `root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`,
    ),
    file('etc/group', `root:x:0:\nnobody:x:65534:\nnonroot:x:${NONROOT}:\n`),
    file('etc/ssl/certs/ca-certificates.crt', bundle),
  ].filter((e) => !have.has(e.path));
  return [...packaged, ...extra];
};

/** The Node binary of the `node` package the lock file pins, and its version. */
const pinnedNode = () => {
  const pkg = join(root, 'node_modules', 'node');
  const { version: nodeVersion } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  return { binary: readFileSync(join(pkg, 'bin', 'node')), version: nodeVersion };
};

/** The application image: base layer (Debian), Node, and the runtime folder, each a layer of its own. */
export const buildAppImage = ({ name = DEFAULT_NAME } = {}) => {
  const debs = downloadPackages(DEBIAN_PACKAGES, cache());
  const node = pinnedNode();
  const app = mkdtempSync(join(tmpdir(), 'kubevirt-migration-app-'));
  try {
    assembleRuntimeFolder(app);
    return ociArchive({
      name,
      layers: [
        baseEntries(packageEntries(debs)),
        [dir('nodejs'), dir('nodejs/bin'), { path: 'nodejs/bin/node', type: 'file', mode: 0o755, data: node.binary }],
        [{ path: 'app', type: 'dir', mode: 0o555 }, ...treeEntries(app, { under: 'app', readOnly: true })],
      ],
      config: {
        User: `${NONROOT}:${NONROOT}`,
        Env: [
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
        ],
        Entrypoint: ['/nodejs/bin/node'],
        Cmd: ['/app/webhook/main.js', '--help'],
        WorkingDir: '/app',
      },
      labels: {
        'org.opencontainers.image.title': 'kubevirt-migration',
        'org.opencontainers.image.version': version,
        'org.opencontainers.image.base.name': `debian packages: ${debs.map((d) => `${d.name}=${d.version}`).join(' ')}`,
        'io.kubevirt-migration.node-version': node.version,
      },
    });
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
};

/** The sandbox image: the pause program alone, run as nobody. */
export const buildPauseImage = ({ binary, name }) =>
  ociArchive({
    name,
    layers: [[{ path: 'pause', type: 'file', mode: 0o755, data: readFileSync(binary) }]],
    config: { User: '65535:65535', Entrypoint: ['/pause'] },
  });

const main = () => {
  const { values } = parseArgs({
    options: { output: { type: 'string' }, name: { type: 'string' }, pause: { type: 'string' } },
  });
  const started = performance.now();
  const built =
    values.pause === undefined
      ? buildAppImage({ name: values.name ?? DEFAULT_NAME })
      : buildPauseImage({ binary: values.pause, name: values.name ?? 'localhost/kubevirt-migration/pause:local' });
  const output = resolve(values.output ?? join(root, 'dist', `kubevirt-migration-${version}.oci.tar`));
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, built.archive);
  console.error(
    `image written to ${output} in ${Math.round(performance.now() - started)} ms: layers ${(built.size / 2 ** 20).toFixed(1)} MiB compressed`,
  );
  console.log(built.digest);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    console.error(`tools/image.mjs: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
