import type { MigrationConfig } from './config.js';
import { isRecord, type JsonRecord, own } from './json.js';
import { frozenMemo } from './memo.js';
import { optionSpec, OWNED_KEYS, type OwnedKey } from './options.js';
import { fractionKey, quantityValue } from './quantity.js';

/**
 * Canonical comparison: the one definition of "the same configuration". Protected keys and nulls
 * are dropped, quantities compare by exact value (`1Gi` = `1024Mi`), integers by value (`5` = `5.0`),
 * key order is ignored.
 */

export type CanonicalValue = string | number | boolean;

/** The canonical form of one owned option's value; a value that is not valid stays distinguishable. */
const canonicalValue = (key: OwnedKey, raw: unknown): CanonicalValue | undefined => {
  if (raw === null || raw === undefined) return undefined;
  if (optionSpec(key)?.kind.type === 'quantity') {
    const value = quantityValue(raw);
    return value === undefined ? `invalid:${JSON.stringify(raw)}` : `q:${fractionKey(value)}`;
  }
  return typeof raw === 'number' || typeof raw === 'boolean' ? raw : `invalid:${JSON.stringify(raw)}`;
};

export const sameValue = (key: OwnedKey, a: unknown, b: unknown): boolean =>
  canonicalValue(key, a) === canonicalValue(key, b);

/** The canonical form of an object, remembered for a frozen one (a decoded configuration, see memo.ts). */
const canonicalForm = frozenMemo((config: JsonRecord): ReadonlyMap<OwnedKey, CanonicalValue> => {
  const out = new Map<OwnedKey, CanonicalValue>();
  for (const key of OWNED_KEYS) {
    const value = canonicalValue(key, own(config, key));
    if (value !== undefined) out.set(key, value);
  }
  return out;
});

/** The owned options of a configuration or of a CR's migrations block, canonical, in table order. */
export const canonicalize = (config: MigrationConfig | unknown): ReadonlyMap<OwnedKey, CanonicalValue> =>
  isRecord(config) ? canonicalForm(config) : new Map();

/** True when two configurations (or migrations blocks) mean the same owned options. */
export const sameConfig = (a: MigrationConfig | unknown, b: MigrationConfig | unknown): boolean => {
  if (a === b) return true;
  const x = canonicalize(a);
  const y = canonicalize(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
};
