import type { Labels, MigrationPolicy } from './policy.js';

/** How one policy fared against a VMI (docs/semantics.md §7). */
export interface PolicyScore {
  readonly name: string;
  readonly matches: boolean;
  /** Labels of its VMI selector that the VMI has (0 when it does not match). */
  readonly vmiLabels: number;
  /** Labels of its namespace selector that the Namespace has (0 when it does not match). */
  readonly namespaceLabels: number;
  /** Why it does not match, or which quirk made it match; absent for a plain match. */
  readonly note?: string;
}

/** The policy KubeVirt chooses for a VMI, with every policy's score in the order given. */
export interface PolicyChoice {
  readonly winner: MigrationPolicy | undefined;
  readonly scores: readonly PolicyScore[];
}

type Count = { readonly ok: true; readonly count: number } | { readonly ok: false; readonly missing: string };

const countMatching = (selector: Labels | undefined, labels: Labels | undefined): Count => {
  let count = 0;
  for (const [key, value] of Object.entries(selector ?? {})) {
    if (labels === undefined || labels[key] !== value) return { ok: false, missing: `${key}=${value}` };
    count++;
  }
  return { ok: true, count };
};

const scoreOf = (
  policy: MigrationPolicy,
  vmiLabels: Labels | undefined,
  namespaceLabels: Labels | undefined,
): PolicyScore => {
  const none = { name: policy.name, matches: false, vmiLabels: 0, namespaceLabels: 0 };
  if (policy.selectors === undefined) return { ...none, note: 'it has no spec.selectors, so it never matches' };
  // Quirk 2: KubeVirt checks neither selector when the VMI has no labels.
  if (vmiLabels === undefined)
    return { ...none, matches: true, note: 'the VMI has no labels, so KubeVirt checks no selector (quirk 2)' };
  const vmi = countMatching(policy.selectors.virtualMachineInstanceSelector, vmiLabels);
  if (!vmi.ok) return { ...none, note: `the VMI lacks the label ${vmi.missing}` };
  const ns = countMatching(policy.selectors.namespaceSelector, namespaceLabels);
  if (!ns.ok) return { ...none, note: `the Namespace lacks the label ${ns.missing}` };
  return { name: policy.name, matches: true, vmiLabels: vmi.count, namespaceLabels: ns.count };
};

/** Byte order of the UTF-8 encodings, as Go compares strings: the order of code points. */
const compareNames = (a: string, b: string): number => {
  const ca = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const cb = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
};

/** Positive when `a` beats `b`: more labels in all, then more VMI labels, then the first name; equal names keep the first given. */
const beats = (a: PolicyScore, b: PolicyScore): boolean => {
  const total = a.vmiLabels + a.namespaceLabels - (b.vmiLabels + b.namespaceLabels);
  if (total !== 0) return total > 0;
  if (a.vmiLabels !== b.vmiLabels) return a.vmiLabels > b.vmiLabels;
  return compareNames(a.name, b.name) < 0;
};

const noLabels = (labels: Labels | undefined): Labels | undefined =>
  labels === undefined || Object.keys(labels).length === 0 ? undefined : labels;

/**
 * The MigrationPolicy KubeVirt 1.7.0 chooses for a VMI (docs/semantics.md §7), quirks included: a
 * policy without selectors never matches; a VMI without labels (undefined or empty) matches every
 * other policy with score 0. The highest score wins (VMI plus Namespace labels matched), then the
 * one with more VMI labels, then the first name in byte order.
 */
export const choosePolicy = (
  policies: readonly MigrationPolicy[],
  vmiLabels: Labels | undefined,
  namespaceLabels: Labels | undefined,
): PolicyChoice => {
  const scores = policies.map((p) => scoreOf(p, noLabels(vmiLabels), namespaceLabels));
  let best: number | undefined;
  scores.forEach((s, i) => {
    const current = best === undefined ? undefined : scores[best];
    if (s.matches && (current === undefined || beats(s, current))) best = i;
  });
  return { winner: best === undefined ? undefined : policies[best], scores };
};
