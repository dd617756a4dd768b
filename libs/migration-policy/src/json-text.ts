/**
 * Reading the JSON text of `value` or `default` with bounds (docs/semantics.md §2): a text longer
 * than MAX_TEXT_BYTES or nested deeper than MAX_DEPTH is refused before it is parsed, so hostile
 * input costs little and never overflows a stack; a key written twice in one object is found (the
 * standard parser would keep the last one silently); and the number texts of the top-level object
 * are kept as written, so that `2^64` or `1e400` is judged and shown exactly, not as a rounded double,
 * as are its string texts that hold an escape (Go's quantity parser reads the raw bytes, so
 * `"\u0031Gi"` is not `1Gi` to KubeVirt).
 */

export const MAX_TEXT_BYTES = 1024 * 1024;
export const MAX_DEPTH = 100;

export type JsonTextProblem =
  | { readonly problem: 'tooLong'; readonly bytes: number }
  | { readonly problem: 'tooDeep' }
  | { readonly problem: 'syntax'; readonly reason: string };

export interface JsonText {
  readonly value: unknown;
  /** Paths (keys from the top) of keys written more than once in their object. */
  readonly duplicates: readonly (readonly string[])[];
  /** The text of each number that is a direct member of the top-level object, by key. */
  readonly numbers: ReadonlyMap<string, string>;
  /** The text (with its quotes) of each string member of the top-level object written with an escape, by key. */
  readonly escapedStrings: ReadonlyMap<string, string>;
}

/** UTF-8 length of a string (a lone surrogate counts 3, as the encoder writes U+FFFD). */
const utf8Bytes = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
};

interface Frame {
  readonly object: boolean;
  readonly parent: Frame | undefined;
  /** This container's key in its parent object, or its index in its parent array. */
  readonly segment: string;
  readonly keys: Set<string>;
  /** The key whose value comes next (objects). */
  key: string | undefined;
  /** The index of the element that comes next (arrays). */
  index: number;
}

const pathOf = (frame: Frame | undefined): string[] => {
  const path: string[] = [];
  for (let f = frame; f?.parent !== undefined; f = f.parent) path.unshift(f.segment);
  return path;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

type Scanned = Omit<JsonText, 'value'> & { readonly tooDeep: boolean };

/** The scanner between tokens: what it found so far, the open containers, and whether a key comes next. */
interface ScanState {
  readonly duplicates: string[][];
  readonly numbers: Map<string, string>;
  readonly escapedStrings: Map<string, string>;
  top: Frame | undefined;
  depth: number;
  expectKey: boolean;
  tooDeep: boolean;
}

/** What a step returns when the scan cannot go on (too deep, or text it cannot follow). */
const STOP = -1;

const isSeparator = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3a; /* : */

/** The key of the top-level object's member being read, when the scanner is in it directly. */
const topKey = (s: ScanState): string | undefined => (s.depth === 1 && s.top?.object === true ? s.top.key : undefined);

/** `{` or `[`: a new frame, unless that would pass MAX_DEPTH. */
const openContainer = (s: ScanState, c: number): boolean => {
  if (s.depth >= MAX_DEPTH) {
    s.tooDeep = true;
    return false;
  }
  const top = s.top;
  const segment = top === undefined ? '' : top.object ? (top.key ?? '') : String(top.index);
  s.top = { object: c === 0x7b, parent: top, segment, keys: new Set(), key: undefined, index: 0 };
  s.depth++;
  s.expectKey = c === 0x7b;
  return true;
};

const closeContainer = (s: ScanState): void => {
  s.top = s.top?.parent;
  s.depth = Math.max(0, s.depth - 1);
  s.expectKey = false;
};

const nextMember = (s: ScanState): void => {
  s.expectKey = s.top?.object === true;
  if (s.top !== undefined) s.top.index++;
};

/** The key a string token (quotes included) spells; undefined when its escapes do not parse. */
const keyOf = (token: string, escaped: boolean): string | undefined => {
  if (!escaped) return token.slice(1, -1);
  try {
    return JSON.parse(token) as string;
  } catch {
    return undefined;
  }
};

/** The string token at `i` (a key or a value); the index after it, or STOP. */
const stringToken = (s: ScanState, text: string, i: number): number => {
  let j = i + 1;
  let escaped = false;
  while (j < text.length && text.charCodeAt(j) !== QUOTE) {
    if (text.charCodeAt(j) === BACKSLASH) {
      escaped = true;
      j++;
    }
    j++;
  }
  if (j >= text.length) return STOP;
  const top = s.top;
  if (s.expectKey && top !== undefined) {
    const key = keyOf(text.slice(i, j + 1), escaped);
    if (key === undefined) return STOP;
    if (top.keys.has(key)) s.duplicates.push([...pathOf(top), key]);
    top.keys.add(key);
    top.key = key;
    s.expectKey = false;
  } else if (escaped) {
    const key = topKey(s);
    if (key !== undefined) s.escapedStrings.set(key, text.slice(i, j + 1));
  }
  return j + 1;
};

/** A number, `true`, `false` or `null` at `i`; the index after it, or STOP. */
const scalarToken = (s: ScanState, text: string, i: number): number => {
  NUMBER.lastIndex = i;
  const token = NUMBER.exec(text)?.[0];
  if (token !== undefined && token !== '') {
    const key = topKey(s);
    if (key !== undefined) s.numbers.set(key, token);
    return i + token.length;
  }
  if (text.startsWith('true', i) || text.startsWith('null', i)) return i + 4;
  if (text.startsWith('false', i)) return i + 5;
  return STOP;
};

/** One token (or separator) at `i`; the index after it, or STOP. */
const step = (s: ScanState, text: string, i: number): number => {
  const c = text.charCodeAt(i);
  if (isSeparator(c)) return i + 1;
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) return openContainer(s, c) ? i + 1 : STOP;
  if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
    closeContainer(s);
    return i + 1;
  }
  if (c === 0x2c /* , */) {
    nextMember(s);
    return i + 1;
  }
  if (c === QUOTE) return stringToken(s, text, i);
  return scalarToken(s, text, i);
};

/**
 * One pass over the text, with an explicit stack: the nesting depth, duplicate keys, and the number
 * texts of the top-level object. It does not judge syntax (JSON.parse does, once the bounds hold):
 * on text it cannot follow it stops and reports what it saw so far.
 */
const scan = (text: string): Scanned => {
  const s: ScanState = {
    duplicates: [],
    numbers: new Map(),
    escapedStrings: new Map(),
    top: undefined,
    depth: 0,
    expectKey: false,
    tooDeep: false,
  };
  for (let i = 0; i >= 0 && i < text.length;) i = step(s, text, i);
  return { tooDeep: s.tooDeep, duplicates: s.duplicates, numbers: s.numbers, escapedStrings: s.escapedStrings };
};

/** Parses the text of `value` or `default` within the bounds; Left says why it could not. */
export const readJsonText = (
  text: string,
): { readonly ok: true; readonly json: JsonText } | ({ readonly ok: false } & JsonTextProblem) => {
  // at most 3 bytes a UTF-16 unit: a short text cannot be too long, and is not measured
  const bytes = text.length * 3 <= MAX_TEXT_BYTES ? 0 : utf8Bytes(text);
  if (bytes > MAX_TEXT_BYTES) return { ok: false, problem: 'tooLong', bytes };
  const scanned = scan(text);
  if (scanned.tooDeep) return { ok: false, problem: 'tooDeep' };
  try {
    const { duplicates, numbers, escapedStrings } = scanned;
    return { ok: true, json: { value: JSON.parse(text) as unknown, duplicates, numbers, escapedStrings } };
  } catch (e) {
    return { ok: false, problem: 'syntax', reason: e instanceof Error ? e.message : String(e) };
  }
};

/** A JSON number with the text it was written as: judged and shown exactly, whatever a double makes of it. */
export class JsonNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
}
