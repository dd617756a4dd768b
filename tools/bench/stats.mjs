/** Small statistics for the benchmarks: no library needed for a median and a percentile. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const summary = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, min: s[0], median: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
};

/** Operations per second of `fn`, median of `rounds` rounds of about `ms` milliseconds each. */
export const throughput = (fn, { rounds = 5, ms = 1000 } = {}) => {
  for (let i = 0; i < 2000; i++) fn(i);
  const rates = [];
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

export const table = (rows) => {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(keys));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(keys.map((k) => r[k])));
};
