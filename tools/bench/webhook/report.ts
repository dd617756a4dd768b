// The webhook benchmark's table: every server's figures, and each against the controller-runtime
// webhook's (the anchor) measured in the same run.
import { fmt, table } from '../stats.js';
import { CONNECTIONS, type Figures, RATE } from './load.js';

export interface Row {
  readonly server: string;
  readonly vmims: string;
  readonly figures: Figures;
}

const against = (value: number, anchor: number | undefined, digits: number): string =>
  anchor === undefined ? fmt(value, digits) : `${fmt(value, digits)} (${fmt(value / anchor, 2)}×)`;

const cells = (r: Row, anchor: Figures | undefined): Record<string, string | number> => {
  const f = r.figures;
  return {
    server: r.server,
    'VMIMs cached': r.vmims,
    'CPU µs / admission, distinct': against(f.distinctUs, anchor?.distinctUs, 1),
    'CPU µs / admission, repeated': against(f.repeatedUs, anchor?.repeatedUs, 1),
    'RSS after, MiB': against(f.rss, anchor?.rss, 1),
    [`req/s (${CONNECTIONS} conn., distinct)`]: fmt(f.rps),
    [`p50 / p99 ms at ${fmt(RATE)}/s, distinct (p99 of each run)`]: `${fmt(f.p50, 2)} / ${against(f.p99, anchor?.p99, 2)} (${f.p99s.map((p) => fmt(p, 2)).join(', ')})`,
    errors: f.errors,
  };
};

/** Prints the table; ratios (in parentheses) are to the anchor row with the same VMIMs cached. */
export const report = (rows: readonly Row[], anchorName: string): void => {
  const anchorOf = (vmims: string): Figures | undefined =>
    rows.find((r) => r.server === anchorName && r.vmims === vmims)?.figures;
  table(rows.map((r) => cells(r, r.server === anchorName ? undefined : anchorOf(r.vmims))));
};

/** The targets on distinct reviews, for one row against the anchor. */
export const targets = (webhook: Figures, anchor: Figures): string[] => [
  `CPU per admission ${fmt(webhook.distinctUs / anchor.distinctUs, 2)}× the anchor's (target ≤ 0.5×): ${webhook.distinctUs <= anchor.distinctUs / 2 ? 'met' : 'missed'}`,
  `p99 at ${fmt(RATE)}/s ${fmt(webhook.p99, 2)} ms against ${fmt(anchor.p99, 2)} ms (target ≤): ${webhook.p99 <= anchor.p99 ? 'met' : 'missed'}`,
  `RSS after load ${fmt(webhook.rss / anchor.rss, 2)}× the anchor's (target ≤ 2×): ${webhook.rss <= anchor.rss * 2 ? 'met' : 'missed'}`,
];
