/**
 * Reading the JSON text of `value` or `default` with bounds (docs/semantics.md §2): a text longer
 * than MAX_TEXT_BYTES or nested deeper than MAX_DEPTH is refused before it is parsed, so hostile
 * input costs little and never overflows a stack; a key written twice in one object is found (the
 * standard parser would keep the last one silently); and the number texts of the top-level object
 * are kept as written, so that `2^64` or `1e400` is judged and shown exactly, not as a rounded double.
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
}

/** UTF-8 length of a string, stopping early once past `limit`. */
const utf8Bytes = (text: string, limit: number): number => {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
};

interface Frame {
  readonly kind: 'object' | 'array';
  readonly path: readonly string[];
  readonly keys: Set<string>;
  /** The key whose value comes next (objects). */
  key: string | undefined;
  /** The index of the element that comes next (arrays). */
  index: number;
}

// JSON forbids raw control characters in strings; the class excludes them on purpose
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const at = (re: RegExp, text: string, i: number): string | undefined => {
  re.lastIndex = i;
  return re.exec(text)?.[0];
};

/**
 * One pass over the text, with an explicit stack: the nesting depth, duplicate keys, and the number
 * texts of the top-level object. It does not judge syntax (JSON.parse does, once the bounds hold):
 * on text it cannot follow it stops and reports what it saw so far.
 */
const scan = (text: string): { readonly tooDeep: boolean; readonly duplicates: string[][]; readonly numbers: Map<string, string> } => {
  const stack: Frame[] = [];
  const duplicates: string[][] = [];
  const numbers = new Map<string, string>();
  let expectKey = false;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ':') {
      i++;
    } else if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) return { tooDeep: true, duplicates, numbers };
      const path = top === undefined ? [] : [...top.path, top.kind === 'object' ? (top.key ?? '') : String(top.index)];
      stack.push({ kind: c === '{' ? 'object' : 'array', path, keys: new Set(), key: undefined, index: 0 });
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === ',') {
      expectKey = top?.kind === 'object';
      if (top !== undefined) top.index++;
      i++;
    } else if (c === '"') {
      const token = at(STRING, text, i);
      if (token === undefined) break;
      if (expectKey && top !== undefined) {
        const key = JSON.parse(token) as string;
        if (top.keys.has(key)) duplicates.push([...top.path, key]);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i += token.length;
    } else {
      const token = at(NUMBER, text, i);
      if (token !== undefined && token !== '') {
        if (stack.length === 1 && top?.kind === 'object' && top.key !== undefined) numbers.set(top.key, token);
        i += token.length;
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else break;
    }
  }
  return { tooDeep: false, duplicates, numbers };
};

/** Parses the text of `value` or `default` within the bounds; Left says why it could not. */
export const readJsonText = (text: string): { readonly ok: true; readonly json: JsonText } | ({ readonly ok: false } & JsonTextProblem) => {
  const bytes = text.length > MAX_TEXT_BYTES ? text.length : utf8Bytes(text, MAX_TEXT_BYTES);
  if (bytes > MAX_TEXT_BYTES) return { ok: false, problem: 'tooLong', bytes };
  const scanned = scan(text);
  if (scanned.tooDeep) return { ok: false, problem: 'tooDeep' };
  try {
    return { ok: true, json: { value: JSON.parse(text) as unknown, duplicates: scanned.duplicates, numbers: scanned.numbers } };
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
