/** Safe reading of decoded JSON of unknown shape. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export const isRecord = (u: unknown): u is JsonRecord => typeof u === 'object' && u !== null && !Array.isArray(u);

/** True for an own property (never one inherited from Object.prototype); ES2020, unlike Object.hasOwn. */
export const hasOwn = (o: JsonRecord, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** An own property (never one inherited from Object.prototype). */
export const own = (o: JsonRecord, key: string): unknown => (hasOwn(o, key) ? o[key] : undefined);

/** The value at a path of own properties, or undefined where any step is missing or not an object. */
export const at = (u: unknown, ...path: readonly string[]): unknown => {
  let cur = u;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = own(cur, key);
  }
  return cur;
};

export const describeJsonType = (u: unknown): string =>
  u === null ? 'null' : Array.isArray(u) ? 'an array' : typeof u === 'object' ? 'an object' : `a ${typeof u}`;
