/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export const distance = (a: string, b: string): number => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const width = y.length + 1;
  let before = new Uint16Array(width); // row i - 2
  let prev = Uint16Array.from({ length: width }, (_, j) => j); // row i - 1
  let cur = new Uint16Array(width); // row i
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x.charCodeAt(i - 1) === y.charCodeAt(j - 1) ? 0 : 1;
      let best = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (
        i > 1 &&
        j > 1 &&
        x.charCodeAt(i - 1) === y.charCodeAt(j - 2) &&
        x.charCodeAt(i - 2) === y.charCodeAt(j - 1)
      ) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      cur[j] = best;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[y.length] ?? 0;
};

/** Longest key compared in full; a longer unknown key is cut first, so hostile input stays cheap. */
const MAX_COMPARED = 64;

/**
 * How far `word` is from `candidate`: the edit distance to the whole candidate, or one more than
 * the distance to its prefix of the same length, so that a shortened name ("bandwith") still
 * finds its option ("bandwidthPerMigration").
 */
const score = (word: string, candidate: string): number =>
  Math.min(distance(word, candidate), distance(word, candidate.slice(0, word.length)) + 1);

/** How far a word may be from a candidate and still be taken for a typo of it: about one edit in three characters. */
const plausible = (word: string): number => Math.floor(word.length / 3) + 1;

/**
 * The candidate nearest to `word` (ties: the first in candidate order), when it is close enough to
 * be a likely typo; undefined otherwise, so that `fooBar` suggests nothing rather than anything.
 */
export const nearest = (word: string, candidates: readonly string[]): string | undefined => {
  const w = word.slice(0, MAX_COMPARED);
  let best: string | undefined;
  let bestDistance = Number.MAX_SAFE_INTEGER;
  for (const c of candidates) {
    const d = score(w, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= plausible(w) ? best : undefined;
};
