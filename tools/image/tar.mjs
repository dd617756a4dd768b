// A tar writer whose output depends only on the entries given: POSIX ustar headers (a PAX record
// for a path or link target too long for them), the entries sorted by path, and every owner, time
// and mode taken from the entry, never from the disk. That is what makes an image layer reproducible.
import { createHash } from 'node:crypto';

const BLOCK = 512;

/**
 * @typedef {{ path: string, type: 'file', mode: number, uid?: number, gid?: number, data: Buffer }
 *   | { path: string, type: 'dir', mode: number, uid?: number, gid?: number }
 *   | { path: string, type: 'symlink', target: string }} TarEntry
 * A path is relative to the root (`usr/lib/x.so`), without a leading `./` or `/`.
 */

const octal = (value, width) => value.toString(8).padStart(width - 1, '0') + '\0';

/** Splits a path into ustar's prefix (155 bytes) and name (100 bytes), or undefined when it does not fit. */
const splitPath = (path) => {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  return undefined;
};

const header = ({ path, typeflag, mode, uid, gid, size, linkname }) => {
  const split = splitPath(path) ?? { prefix: '', name: path.slice(0, 100) };
  const h = Buffer.alloc(BLOCK);
  h.write(split.name, 0, 100);
  h.write(octal(mode, 8), 100);
  h.write(octal(uid, 8), 108);
  h.write(octal(gid, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136); // mtime: the epoch, for every entry
  h.write('        ', 148); // checksum placeholder
  h.write(typeflag, 156);
  h.write(linkname.slice(0, 100), 157);
  h.write('ustar\x0000', 257);
  h.write(octal(0, 8), 329);
  h.write(octal(0, 8), 337);
  h.write(split.prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
};

const padding = (size) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** A PAX extended header carrying the records a ustar header cannot hold. */
const paxHeader = (path, records) => {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    const n = Buffer.byteLength(body);
    // the length counts its own digits
    let length = n + String(n).length;
    if (String(length).length !== String(n).length) length = n + String(length).length;
    return `${length}${body}`;
  });
  const data = Buffer.from(lines.join(''));
  return [
    header({
      path: `PaxHeaders/${path}`.slice(0, 100),
      typeflag: 'x',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      linkname: '',
    }),
    data,
    padding(data.length),
  ];
};

/** The blocks of one entry: a PAX header when its path or link does not fit the ustar fields, its header, its data. */
const entryParts = (e) => {
  const parts = [];
  const path = e.type === 'dir' ? `${e.path}/` : e.path;
  const linkname = e.type === 'symlink' ? e.target : '';
  const pax = {};
  if (splitPath(path) === undefined) pax.path = path;
  if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
  if (Object.keys(pax).length > 0) parts.push(...paxHeader(path, pax));
  const size = e.type === 'file' ? e.data.length : 0;
  const mode = e.type === 'symlink' ? 0o777 : e.mode;
  const typeflag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
  parts.push(header({ path, typeflag, mode, uid: e.uid ?? 0, gid: e.gid ?? 0, size, linkname }));
  if (e.type === 'file') parts.push(e.data, padding(size));
  return parts;
};

/** The tar archive of `entries` (sorted by path here; a path given twice is an error). */
export const writeTar = (entries) => {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (i > 0 && sorted[i - 1].path === e.path) throw new Error(`tar: ${e.path} given twice`);
    parts.push(...entryParts(e));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
};

export const sha256 = (data) => createHash('sha256').update(data).digest('hex');
