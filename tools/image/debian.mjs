// Debian's packages as files for an image, the way distroless takes them: each package's data
// (`dpkg-deb`), no maintainer script run, documentation left out but for the copyright files.
// The .deb files come from Debian through `apt-get download` and are kept in a cache folder, so a
// build from the same files gives the same layer.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { treeEntries } from './tree.mjs';

const run = (command, args, options = {}) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (e) {
    if (e.code === 'ENOENT')
      throw new Error(
        `${command} is not installed: the image is built from Debian's packages on a Debian or Ubuntu machine (apt-get, dpkg-deb)`,
      );
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? '').toString().trim()}`);
  }
};

/** The .deb of each package at the version apt would install now, downloaded into `cache` once. */
export const downloadPackages = (packages, cache) => {
  mkdirSync(cache, { recursive: true });
  const candidate = (name) => {
    const version = /Candidate: (\S+)/.exec(run('apt-cache', ['policy', name]))?.[1];
    return version === undefined || version === '(none)' ? undefined : version;
  };
  // a machine whose package lists were never fetched knows no candidate: as root, fetch them once
  if (packages.some((name) => candidate(name) === undefined) && process.getuid?.() === 0) run('apt-get', ['update']);
  return packages.map((name) => {
    const version = candidate(name);
    if (version === undefined)
      throw new Error(`Debian's package ${name} is not known to apt: run \`apt-get update\` (as root) and build again`);
    const arch = run('dpkg', ['--print-architecture']).trim();
    const file = join(cache, `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`);
    const any = join(cache, `${name}_${version.replace(/:/g, '%3a')}_all.deb`);
    if (existsSync(file)) return { name, version, file };
    if (existsSync(any)) return { name, version, file: any };
    run('apt-get', ['download', `${name}=${version}`], { cwd: cache });
    const got = [file, any].find((f) => existsSync(f));
    if (got === undefined) throw new Error(`apt-get download ${name}=${version} left no .deb in ${cache}`);
    return { name, version, file: got };
  });
};

/** Leaves out what a container never reads (distroless keeps the copyright files only). */
const wanted = (path) =>
  !/^usr\/share\/(man|info|lintian|locale|bug)(\/|$)/.test(path) &&
  !(/^usr\/share\/doc\//.test(path) && !/^usr\/share\/doc\/[^/]+(\/copyright)?$/.test(path));

/** The files of the packages, as tar entries of one layer. */
export const packageEntries = (debs) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-debs-'));
  try {
    for (const deb of debs) run('dpkg-deb', ['--extract', deb.file, dir]);
    return treeEntries(dir, { keep: wanted });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
