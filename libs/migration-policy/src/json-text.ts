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
  { readonly problem: 'tooLong'; readonly bytes: number } | { readonly problem: 'tooDeep' } | { readonly problem: 'syntax'; readonly reason: string };

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

/**
 * One pass over the text, with an explicit stack: the nesting depth, duplicate keys, and the number
 * texts of the top-level object. It does not judge syntax (JSON.parse does, once the bounds hold):
 * on text it cannot follow it stops and reports what it saw so far.
 */
type Scanned = Omit<JsonText, 'value'> & { readonly tooDeep: boolean };

const scan = (text: string): Scanned => {
  const duplicates: string[][] = [];
  const numbers = new Map<string, string>();
  const escapedStrings = new Map<string, string>();
  let top: Frame | undefined;
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3a /* : */) {
      i++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= MAX_DEPTH) return { tooDeep: true, duplicates, numbers, escapedStrings };
      const segment = top === undefined ? '' : top.object ? (top.key ?? '') : String(top.index);
      top = { object: c === 0x7b, parent: top, segment, keys: new Set(), key: undefined, index: 0 };
      depth++;
      expectKey = c === 0x7b;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      top = top?.parent;
      depth = Math.max(0, depth - 1);
      expectKey = false;
      i++;
    } else if (c === 0x2c /* , */) {
      expectKey = top?.object === true;
      if (top !== undefined) top.index++;
      i++;
    } else if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && text.charCodeAt(j) !== QUOTE) {
        if (text.charCodeAt(j) === BACKSLASH) {
          escaped = true;
          j++;
        }
        j++;
      }
      if (j >= text.length) break;
      if (expectKey && top !== undefined) {
        let key: string;
        try {
          key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        } catch {
          break;
        }
        if (top.keys.has(key)) duplicates.push([...pathOf(top), key]);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      } else if (escaped && depth === 1 && top?.object === true && top.key !== undefined) {
        escapedStrings.set(top.key, text.slice(i, j + 1));
      }
      i = j + 1;
    } else {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0];
      if (token !== undefined && token !== '') {
        if (depth === 1 && top?.object === true && top.key !== undefined) numbers.set(top.key, token);
        i += token.length;
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else break;
    }
  }
  return { tooDeep: false, duplicates, numbers, escapedStrings };
};

/** Parses the text of `value` or `default` within the bounds; Left says why it could not. */
export const readJsonText = (text: string): { readonly ok: true; readonly json: JsonText } | ({ readonly ok: false } & JsonTextProblem) => {
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
