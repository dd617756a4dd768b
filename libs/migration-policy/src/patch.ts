import type { Operation } from 'fast-json-patch';
import jsonpatch from 'fast-json-patch';
import * as E from 'fp-ts/lib/Either.js';

import { at } from './json.js';

export type { Operation } from 'fast-json-patch';

/** RFC 6901 pointer of a path of keys. */
export const pointer = (...keys: readonly string[]): string =>
  keys.map((k) => `/${jsonpatch.escapePathComponent(k)}`).join('');

/**
 * A test of the object's resourceVersion, when it has one (a non-empty string): a write guarded so,
 * against an object changed meanwhile, fails and is planned again instead of losing either write.
 */
export const resourceVersionGuard = (obj: unknown): Operation | undefined => {
  const rv = at(obj, 'metadata', 'resourceVersion');
  return typeof rv === 'string' && rv !== ''
    ? { op: 'test', path: pointer('metadata', 'resourceVersion'), value: rv }
    : undefined;
};

/** `ops` preceded by the resourceVersion guard of `obj` (nothing to guard when `ops` is empty). */
export const guardedByResourceVersion = (obj: unknown, ops: readonly Operation[]): readonly Operation[] => {
  const guard = resourceVersionGuard(obj);
  return guard !== undefined && ops.length > 0 ? [guard, ...ops] : ops;
};

/**
 * Applies a JSON Patch to a copy of `doc`, all or nothing: the input is never mutated, a failed
 * `test` or an invalid operation gives Left with the reason. Prototype-polluting paths are refused.
 */
export const applyPatch = <T>(doc: T, ops: readonly Operation[]): E.Either<string, T> => {
  try {
    const copy = jsonpatch.deepClone(doc) as T;
    return E.right(jsonpatch.applyPatch(copy, [...ops], true, true, true).newDocument);
  } catch (e) {
    return E.left(e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e));
  }
};
