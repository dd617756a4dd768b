/**
 * SHA-224 (FIPS 180-4) of a string's UTF-8 bytes, as lowercase hex. Written out because the
 * policy library is pure and synchronous: no node:crypto, and WebCrypto is asynchronous.
 */
import { textMemo } from './memo.js';

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** SHA-224's initial hash value (it differs from SHA-256's). */
const IV = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];

const utf8 = (text: string): Uint8Array => {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
    } else if (c >= 0xd800 && c < 0xe000) {
      c = 0xfffd; // a lone surrogate, as TextEncoder and Go encode it
    }
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(bytes);
};

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** The message padded to whole 64-byte blocks: a 1 bit, zeros, and its length in bits. */
const padded = (data: Uint8Array): DataView => {
  const msg = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  msg.set(data);
  msg[data.length] = 0x80;
  const view = new DataView(msg.buffer);
  const bits = data.length * 8;
  view.setUint32(msg.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(msg.length - 4, bits >>> 0);
  return view;
};

/** The message schedule of the block at `offset`, into `w`. */
const schedule = (w: Uint32Array, view: DataView, offset: number): void => {
  for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] ?? 0;
    const y = w[i - 2] ?? 0;
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    w[i] = ((w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1) | 0;
  }
};

/** One round over the working variables a..h in `v`, with the round's constant plus schedule word `kw`. */
const round = (v: Int32Array, kw: number): void => {
  const a = v[0] ?? 0;
  const b = v[1] ?? 0;
  const c = v[2] ?? 0;
  const d = v[3] ?? 0;
  const e = v[4] ?? 0;
  const f = v[5] ?? 0;
  const g = v[6] ?? 0;
  const h = v[7] ?? 0;
  const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kw) | 0;
  const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
  v[7] = g;
  v[6] = f;
  v[5] = e;
  v[4] = (d + t1) | 0;
  v[3] = c;
  v[2] = b;
  v[1] = a;
  v[0] = (t1 + t2) | 0;
};

/** One block's 64 rounds, added into the hash value `h`. */
const compress = (h: Uint32Array, w: Uint32Array): void => {
  const v = Int32Array.from(h);
  for (let i = 0; i < 64; i++) round(v, (K[i] ?? 0) + (w[i] ?? 0));
  for (let i = 0; i < 8; i++) h[i] = (h[i] ?? 0) + (v[i] ?? 0);
};

const digest = (text: string): string => {
  const view = padded(utf8(text));
  const h = Uint32Array.from(IV);
  const w = new Uint32Array(64);
  for (let offset = 0; offset < view.byteLength; offset += 64) {
    schedule(w, view, offset);
    compress(h, w);
  }
  return Array.from(h.slice(0, 7), (x) => x.toString(16).padStart(8, '0')).join('');
};

/** Recent digests (memo.ts): a controller plans the same setting again and again (every event of the CR). */
const recent = textMemo<string>(16, 64 * 1024);

/** SHA-224 of the UTF-8 bytes of `text`, lowercase hex; the last few results are remembered. */
export const sha224Hex = (text: string): string => recent.find(text) ?? recent.keep(text, digest(text));
