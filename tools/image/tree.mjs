// A folder on disk as tar entries under a path in the image, owned by root. Modes are the files'
// own unless `readOnly`, which gives every entry mode 0555 (the image's /app: read-only for everyone).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} root the folder
 * @param {{ under?: string, keep?: (path: string) => boolean, readOnly?: boolean }} options
 *   under: the path in the image (default: the image's root); keep: which relative paths to take
 * @returns {import('./tar.mjs').TarEntry[]}
 */
export const treeEntries = (root, { under = '', keep = () => true, readOnly = false } = {}) => {
  const entries = [];
  const visit = (relative) => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative === '' ? name : `${relative}/${name}`;
      if (!keep(path)) continue;
      const full = join(root, path);
      const stat = lstatSync(full);
      const mode = readOnly ? 0o555 : stat.mode & 0o7777;
      const at = under === '' ? path : `${under}/${path}`;
      if (stat.isSymbolicLink()) entries.push({ path: at, type: 'symlink', target: readlinkSync(full) });
      else if (stat.isDirectory()) {
        entries.push({ path: at, type: 'dir', mode });
        visit(path);
      } else if (stat.isFile()) entries.push({ path: at, type: 'file', mode, data: readFileSync(full) });
      else throw new Error(`${full}: neither a file, a folder nor a symbolic link`);
    }
  };
  visit('');
  return entries;
};
