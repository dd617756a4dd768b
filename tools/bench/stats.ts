/** Small statistics for the benchmarks: a median and a percentile need no library. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
}

export const summary = (samples: readonly number[]): Summary => {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? Number.NaN,
    median: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
};

/** Operations per second of `fn`: median of `rounds` rounds of about `ms` milliseconds. */
export const throughput = (fn: (i: number) => unknown, rounds = 5, ms = 1000): number => {
  for (let i = 0; i < 2000; i++) fn(i);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 200; i++) fn(n++);
      now = performance.now();
    }
    rates.push((n / (now - start)) * 1000);
  }
  return summary(rates).median;
};

export const table = (rows: readonly Record<string, string | number>[]): void => {
  const first = rows[0];
  if (first === undefined) return;
  const keys = Object.keys(first);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: readonly (string | number | undefined)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(keys));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(keys.map((k) => r[k])));
};

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
