/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
const distance = (a: string, b: string): number => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const cell = (i: number, j: number): number => rows[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= x.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, cell(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return cell(x.length, y.length);
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

/** The candidate nearest to `word` (ties: the first in candidate order). */
export const nearest = (word: string, candidates: readonly string[]): string | undefined => {
  const w = word.slice(0, MAX_COMPARED);
  let best: string | undefined;
  let bestDistance = Number.MAX_SAFE_INTEGER;
  for (const c of candidates) {
    const d = score(w, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
};
