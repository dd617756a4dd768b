import fc from 'fast-check';

import type { Labels, MigrationPolicy, PolicySelectors } from './policy.js';
import { choosePolicy } from './precedence.js';

/**
 * KubeVirt 1.7.0's own examples (pkg/virt-controller/watch/migration/migration_test.go, "matching
 * and precedence"), rebuilt the way that test builds them: a policy with (v, n) matching labels has
 * v labels of its own on the VMI and n on the Namespace, and selects exactly those.
 */
const policy = (name: string, selectors: PolicySelectors | undefined): MigrationPolicy => ({
  name,
  selectors,
  options: {},
});

const scenario = (infos: readonly (readonly [string, number, number])[]) => {
  const vmi: Record<string, string> = { 'kubevirt.io/nodeName': 'node01' };
  const ns: Record<string, string> = {};
  const policies = infos.map(([name, v, n]) => {
    const vmiSelector: Record<string, string> = {};
    const nsSelector: Record<string, string> = {};
    for (let i = 0; i < v; i++) vmi[`${name}-key-${i}`] = vmiSelector[`${name}-key-${i}`] = `${name}-value-${i}`;
    for (let i = 0; i < n; i++) ns[`${name}-key-${i}`] = nsSelector[`${name}-key-${i}`] = `${name}-value-${i}`;
    return policy(name, { virtualMachineInstanceSelector: vmiSelector, namespaceSelector: nsSelector });
  });
  return { policies, vmi, ns };
};

describe("KubeVirt's matching and precedence examples", () => {
  it.each([
    ['only one policy should be matched', 'one', [['one', 1, 4]]],
    [
      'most detail policy should be matched',
      'two',
      [
        ['one', 1, 4],
        ['two', 4, 2],
      ],
    ],
    [
      'same level: the first name in lexicographic order (1)',
      'aa',
      [
        ['aa', 2, 2],
        ['zz', 2, 2],
      ],
    ],
    [
      'same level: the first name in lexicographic order (2)',
      'aa',
      [
        ['zz', 2, 2],
        ['aa', 2, 2],
      ],
    ],
    [
      'VMI labels have precedence over namespace labels',
      'vmi',
      [
        ['ns', 0, 3],
        ['vmi', 3, 0],
      ],
    ],
    [
      'VMI labels have precedence over namespace labels, in either order',
      'vmi',
      [
        ['vmi', 3, 0],
        ['ns', 0, 3],
      ],
    ],
  ] as const)('%s', (_name, expected, infos) => {
    const { policies, vmi, ns } = scenario(infos);
    expect(choosePolicy(policies, vmi, ns).winner?.name).toBe(expected);
  });

  it('a policy with one non-fitting label does not match', () => {
    const { policies, vmi, ns } = scenario([['p', 4, 3]]);
    const [p] = policies;
    const broken = policy('p', {
      ...p?.selectors,
      virtualMachineInstanceSelector: { ...p?.selectors?.virtualMachineInstanceSelector, 'p-key-0': 'XYZ' },
    });
    const choice = choosePolicy([broken], vmi, ns);
    expect(choice.winner).toBeUndefined();
    expect(choice.scores).toEqual([
      { name: 'p', matches: false, vmiLabels: 0, namespaceLabels: 0, note: 'the VMI lacks the label p-key-0=XYZ' },
    ]);
  });

  it('says why each policy does or does not match', () => {
    const policies = [
      policy('none', undefined),
      policy('vmi', { virtualMachineInstanceSelector: { app: 'web' } }),
      policy('ns', { namespaceSelector: { env: 'test' } }),
      policy('fits', { virtualMachineInstanceSelector: { app: 'db' }, namespaceSelector: { env: 'prod' } }),
    ];
    expect(choosePolicy(policies, { app: 'db' }, { env: 'prod' }).scores.map((s) => s.note ?? s.name)).toEqual([
      'it has no spec.selectors, so it never matches',
      'the VMI lacks the label app=web',
      'the Namespace lacks the label env=test',
      'fits',
    ]);
    expect(choosePolicy(policies, {}, { env: 'prod' }).scores.map((s) => s.note)).toEqual([
      'it has no spec.selectors, so it never matches',
      'the VMI has no labels, so KubeVirt checks no selector (quirk 2)',
      'the VMI has no labels, so KubeVirt checks no selector (quirk 2)',
      'the VMI has no labels, so KubeVirt checks no selector (quirk 2)',
    ]);
  });

  it('no policies: nothing matches', () => {
    expect(choosePolicy([], { a: 'b' }, { c: 'd' })).toEqual({ winner: undefined, scores: [] });
  });
});

describe('the rules of docs/semantics.md §7', () => {
  const vmi = { app: 'db', tier: 'gold' };
  const ns = { 'kubernetes.io/metadata.name': 'prod', env: 'prod' };
  it.each<[string, readonly MigrationPolicy[], Labels | undefined, Labels | undefined, string | undefined]>([
    ['selectors: {} matches everything with score 0', [policy('all', {})], vmi, ns, 'all'],
    [
      'empty selectors lose to any matching label',
      [policy('all', {}), policy('zzz', { namespaceSelector: { env: 'prod' } })],
      vmi,
      ns,
      'zzz',
    ],
    ['quirk 1: a policy without selectors never matches', [policy('none', undefined)], vmi, ns, undefined],
    ['quirk 1: not even a VMI without labels', [policy('none', undefined)], undefined, ns, undefined],
    [
      'quirk 2: a VMI without labels matches a selector it cannot satisfy',
      [policy('strict', { virtualMachineInstanceSelector: { app: 'web' } })],
      undefined,
      ns,
      'strict',
    ],
    [
      'quirk 2: an empty label map counts as no labels',
      [policy('strict', { namespaceSelector: { env: 'dev' } })],
      {},
      ns,
      'strict',
    ],
    [
      'quirk 2: then every policy scores 0 and the first name wins',
      [policy('b', { virtualMachineInstanceSelector: { app: 'db' } }), policy('a', { namespaceSelector: { x: 'y' } })],
      undefined,
      ns,
      'a',
    ],
    [
      'quirk 3: a Namespace without labels fails a namespace selector',
      [policy('ns', { namespaceSelector: { env: 'prod' } })],
      vmi,
      undefined,
      undefined,
    ],
    [
      'quirk 3: but not an empty one',
      [policy('ns', { namespaceSelector: {}, virtualMachineInstanceSelector: { app: 'db' } })],
      vmi,
      undefined,
      'ns',
    ],
    [
      'every selector pair must match',
      [policy('both', { namespaceSelector: { env: 'dev' }, virtualMachineInstanceSelector: { app: 'db' } })],
      vmi,
      ns,
      undefined,
    ],
    [
      'a label value must be equal, not a prefix',
      [policy('p', { virtualMachineInstanceSelector: { app: 'd' } })],
      vmi,
      ns,
      undefined,
    ],
    ['names compare by bytes: uppercase sorts before lowercase', [policy('b', {}), policy('B', {})], vmi, ns, 'B'],
    [
      'equal names (files only): the first given wins',
      [policy('same', { virtualMachineInstanceSelector: {} }), policy('same', { namespaceSelector: {} })],
      vmi,
      ns,
      'same',
    ],
  ])('%s', (_name, policies, vmiLabels, nsLabels, expected) => {
    const choice = choosePolicy(policies, vmiLabels, nsLabels);
    expect(choice.winner?.name).toBe(expected);
    if (expected !== undefined) expect(choice.winner).toBe(policies.find((p) => p.name === expected));
  });

  it('scores count VMI and Namespace labels separately', () => {
    const p = policy('p', {
      virtualMachineInstanceSelector: { app: 'db', tier: 'gold' },
      namespaceSelector: { env: 'prod' },
    });
    expect(choosePolicy([p], vmi, ns).scores).toEqual([{ name: 'p', matches: true, vmiLabels: 2, namespaceLabels: 1 }]);
  });
});

/**
 * An independent model of KubeVirt's rule, written from its description rather than its loop: the
 * matching policies sorted by (total desc, VMI labels desc, name by code points, position), first.
 */
const model = (
  policies: readonly MigrationPolicy[],
  vmi: Labels | undefined,
  ns: Labels | undefined,
): number | undefined => {
  const noVmiLabels = vmi === undefined || Object.keys(vmi).length === 0;
  const has = (labels: Labels | undefined, sel: Labels | undefined): boolean =>
    Object.entries(sel ?? {}).every(([k, v]) => labels?.[k] === v);
  const ranked = policies
    .map((p, index) => ({ p, index }))
    .filter(
      ({ p }) =>
        p.selectors !== undefined &&
        (noVmiLabels ||
          (has(vmi, p.selectors.virtualMachineInstanceSelector) && has(ns, p.selectors.namespaceSelector))),
    )
    .map(({ p, index }) => {
      const v = noVmiLabels ? 0 : Object.keys(p.selectors?.virtualMachineInstanceSelector ?? {}).length;
      const n = noVmiLabels ? 0 : Object.keys(p.selectors?.namespaceSelector ?? {}).length;
      return { index, key: [-(v + n), -v] as const, name: [...p.name].map((c) => c.codePointAt(0) ?? 0) };
    })
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || lexicographic(a.name, b.name) || a.index - b.index);
  return ranked[0]?.index;
};

const lexicographic = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
};

const key = fc.constantFrom('app', 'tier', 'env', 'team', 'kubevirt.io/nodeName');
const value = fc.constantFrom('a', 'b', 'c');
const labels = fc.dictionary(key, value, { maxKeys: 4 });
const name = fc.stringMatching(/^[a-zA-Zéｚ😀-]{1,3}$/u); // ｚ (U+FF5A) sorts before 😀 by code point, after it by UTF-16 unit
const selectors = fc.option(
  fc.record({ namespaceSelector: labels, virtualMachineInstanceSelector: labels }, { requiredKeys: [] }),
  { nil: undefined },
);
const policies = fc.array(fc.record({ name, selectors, options: fc.constant({}) }), { maxLength: 8 });

describe('choosePolicy against an independent model', () => {
  it('chooses the same policy for any policies and labels', () => {
    fc.assert(
      fc.property(
        policies,
        fc.option(labels, { nil: undefined }),
        fc.option(labels, { nil: undefined }),
        (ps, vmi, ns) => {
          const expected = model(ps, vmi, ns);
          expect(choosePolicy(ps, vmi, ns).winner).toBe(expected === undefined ? undefined : ps[expected]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
