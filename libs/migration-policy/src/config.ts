import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

import { codecFor, violationsOf } from './codecs.js';
import { describeJsonType, isRecord, type JsonRecord } from './json.js';
import { JsonNumber, type JsonText, MAX_DEPTH, MAX_TEXT_BYTES, readJsonText } from './json-text.js';
import { type TextMemo, textMemo } from './memo.js';
import { isOptionKey, OPTION_KEYS, type OptionKey, OPTIONS, optionSpec, OWNED_KEYS } from './options.js';
import { nearest } from './suggest.js';
import { type FieldPath, invalid, notSupported, typeInvalid, type Violation, violation } from './violation.js';

/** The value type of each kind of option: a number, a boolean, a quantity (string or number) or "" (protected). */
export type ValueOfKind<K> = K extends { type: 'integer' }
  ? number
  : K extends { type: 'boolean' }
    ? boolean
    : K extends { type: 'quantity' }
      ? string | number
      : '';

/** The type of option K's value in a decoded configuration. */
export type OptionValue<K extends OptionKey> = ValueOfKind<Extract<(typeof OPTIONS)[number], { key: K }>['kind']>;

/** A decoded, valid migration configuration: only known keys, no nulls, values as written. */
export type MigrationConfig = { readonly [K in OptionKey]?: OptionValue<K> };

const codecs = Object.fromEntries(OPTIONS.map((o) => [o.key, codecFor(o.key, o.kind)]));

/** io-ts codec of a whole configuration object whose keys are already known to be options. */
export const MigrationConfig = t.partial(
  codecs as { [K in OptionKey]: t.Type<OptionValue<K>, OptionValue<K>, unknown> },
);

/** Options that the installed KubeVirt CRD lists; undefined means "not known, accept every option". */
export type SupportedOptions = ReadonlySet<string> | undefined;

/** What a key of a configuration object is judged against. */
interface KeyContext {
  readonly root: FieldPath;
  readonly supported: SupportedOptions;
  readonly texts: Pick<JsonText, 'numbers' | 'escapedStrings'>;
}

/** One key of a configuration object: a violation, an option to decode (with its number's text), or nothing (a null option). */
const judgeKey = (
  key: string,
  value: unknown,
  { root, supported, texts }: KeyContext,
): { readonly violation: Violation } | { readonly option: readonly [string, unknown] } | undefined => {
  const field = [...root, key];
  // a null is an absent option, but its key must still be one KubeVirt's struct has (Go's strict decoding says so)
  if (!isOptionKey(key)) {
    const near = nearest(key, OWNED_KEYS);
    return {
      violation: notSupported(field, key, `unknown option${near === undefined ? '' : `; did you mean "${near}"?`}`),
    };
  }
  if (supported !== undefined && !supported.has(key)) {
    return {
      violation: notSupported(
        field,
        key,
        'the installed KubeVirt CRD does not list this option, so the API server would silently drop it',
      ),
    };
  }
  if (value === null) return undefined;
  const escaped = texts.escapedStrings.get(key);
  if (escaped !== undefined && optionSpec(key)?.kind.type === 'quantity') {
    const message = `is written with a JSON escape (${escaped}), which KubeVirt's quantity parser does not undo: write ${JSON.stringify(value)}`;
    return { violation: invalid(field, value, message) };
  }
  const text = texts.numbers.get(key);
  return { option: [key, typeof value === 'number' && text !== undefined ? new JsonNumber(text, value) : value] };
};

/**
 * Decodes a configuration object, reporting every violation below the path `root`: unknown keys (with the
 * nearest settable key when it is a likely typo), keys the installed CRD would prune, wrong types,
 * ranges, protected keys. `null` counts as absent, for a key of the table that the CRD lists.
 * `texts` holds the texts the numbers (and the strings with escapes) were written as, when the
 * object came from JSON text, so that they are judged and shown exactly.
 */
export const decodeConfigObject = (
  input: unknown,
  root: FieldPath,
  supported?: SupportedOptions,
  texts: Pick<JsonText, 'numbers' | 'escapedStrings'> = { numbers: new Map(), escapedStrings: new Map() },
): E.Either<readonly Violation[], MigrationConfig> => {
  if (!isRecord(input)) {
    return E.left([
      typeInvalid(root, input, `must be a JSON object of migration options, not ${describeJsonType(input)}`),
    ]);
  }
  const violations: Violation[] = [];
  const known: (readonly [string, unknown])[] = [];
  for (const [key, value] of Object.entries(input)) {
    const verdict = judgeKey(key, value, { root, supported, texts });
    if (verdict === undefined) continue;
    if ('option' in verdict) known.push(verdict.option);
    else violations.push(verdict.violation);
  }
  const decoded = MigrationConfig.decode(Object.fromEntries(known));
  if (E.isLeft(decoded)) violations.push(...violationsOf(decoded.left, root));
  return violations.length === 0 && E.isRight(decoded) ? E.right(decoded.right) : E.left(violations);
};

type Decoded = E.Either<readonly Violation[], MigrationConfig>;

const MEMO_ENTRIES = 16;
const MEMO_MAX_TEXT = 64 * 1024;
/** The texts decoded under each root, remembered as memo.ts says; forgotten when the supported options change. */
const memos = new Map<string, TextMemo<Decoded>>();
let memoSupported: SupportedOptions | undefined;

const memoOf = (root: string, supported: SupportedOptions): TextMemo<Decoded> => {
  if (supported !== memoSupported) {
    memos.clear();
    memoSupported = supported;
  }
  let memo = memos.get(root);
  if (memo === undefined) {
    if (memos.size >= MEMO_ENTRIES) memos.clear();
    memo = textMemo(MEMO_ENTRIES, MEMO_MAX_TEXT);
    memos.set(root, memo);
  }
  return memo;
};

/**
 * Decodes the text of `value` or `default` (docs/semantics.md §2, §3): bounded in size and depth,
 * every key written twice reported, then the object decoded. `root` names the field that holds the
 * text (`value`): it is the first key of every violation's path. Blank text is the caller's
 * business (see effectiveText). The result is frozen.
 */
export const decodeConfigText = (
  text: string,
  root: string,
  supported?: SupportedOptions,
): E.Either<readonly Violation[], MigrationConfig> => {
  const memo = memoOf(root, supported);
  return memo.find(text) ?? memo.keep(text, decodeConfigTextOnce(text, root, supported));
};

const decodeConfigTextOnce = (text: string, root: string, supported?: SupportedOptions): Decoded => {
  const read = readJsonText(text);
  if (!read.ok) {
    const detail =
      read.problem === 'tooLong'
        ? `must be at most ${MAX_TEXT_BYTES} bytes of JSON, not ${read.bytes}`
        : read.problem === 'tooDeep'
          ? `must be a JSON object of migration options; it is nested deeper than ${MAX_DEPTH} levels`
          : `must be a JSON object of migration options; it is not valid JSON (${read.reason})`;
    return E.left([invalid([root], text, detail)]);
  }
  const duplicates = read.json.duplicates.map((path) =>
    violation(
      'FieldValueDuplicate',
      [root, ...path],
      path[path.length - 1],
      'the key is written more than once; give it once',
    ),
  );
  const decoded = decodeConfigObject(read.json.value, [root], supported, read.json);
  if (duplicates.length === 0)
    return E.isRight(decoded) ? E.right(Object.freeze(decoded.right)) : E.left(Object.freeze(decoded.left));
  return E.left(Object.freeze([...duplicates, ...(E.isLeft(decoded) ? decoded.left : [])]));
};

/** The JSON object of a configuration, keys in table order (the inverse of decodeConfigObject). */
export const encodeConfig = (config: MigrationConfig): JsonRecord => {
  const encoded: JsonRecord = MigrationConfig.encode(config);
  return Object.fromEntries(OPTION_KEYS.flatMap((k) => (encoded[k] === undefined ? [] : [[k, encoded[k]]])));
};
