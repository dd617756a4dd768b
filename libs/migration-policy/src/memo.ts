/**
 * The policy's memos, and their one rule. The webhook and the controller ask the same questions
 * again and again (the same `default` on every review, each review's old value the previous one's
 * new value, the same Setting planned on every event), so a few pure results are remembered.
 *
 * The rule: a remembered result is handed to every caller that asks again, so it is frozen
 * (`Object.freeze`) before it is remembered, and nobody mutates what the policy returns. Because a
 * frozen object cannot change, what is derived from it (its canonical form, its warnings) may in
 * turn be remembered against it by identity. Nothing else is remembered: a memo never changes an
 * answer, only how soon it comes.
 */

/** The last results by input text: `find` then, on a miss, `keep` the freshly computed result. */
export interface TextMemo<A> {
  /** The result kept for `text`, if any. */
  readonly find: (text: string) => A | undefined;
  /** Remembers `result` for `text` (unless the text is too long to keep) and returns it. */
  readonly keep: (text: string, result: A) => A;
}

/**
 * A memo of the `size` most recently kept texts, each at most `maxText` characters. Looked up by
 * comparing texts, most recent first, not by a Map: hashing each request's fresh string would cost
 * more than the comparisons.
 */
export const textMemo = <A>(size: number, maxText: number): TextMemo<A> => {
  const recent: { readonly text: string; readonly result: A }[] = [];
  return {
    find: (text) => {
      for (const entry of recent) if (entry.text === text) return entry.result;
      return undefined;
    },
    keep: (text, result) => {
      if (text.length > maxText) return result;
      recent.unshift({ text, result });
      if (recent.length > size) recent.pop();
      return result;
    },
  };
};

/**
 * `derive`, remembered for each frozen object by identity; an object that is not frozen may still
 * change, so its result is derived on every call.
 */
export const frozenMemo = <K extends object, A>(derive: (k: K) => A): ((k: K) => A) => {
  const derived = new WeakMap<K, A>();
  return (k) => {
    const known = derived.get(k);
    if (known !== undefined) return known;
    const result = derive(k);
    if (Object.isFrozen(k)) derived.set(k, result);
    return result;
  };
};
