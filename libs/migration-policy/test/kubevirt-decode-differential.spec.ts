import { join } from 'node:path';

import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigText, type MigrationConfig } from '../src/config.js';
import { decodeSupportedOptions } from '../src/crd.js';
import { OPTIONS, optionSpec } from '../src/options.js';
import { parseQuantity } from '../src/quantity.js';
import type { Violation } from '../src/violation.js';
import { bandwidthPattern170, KUBEVIRT_CRD_170, readShippedCrd } from './crd-files.js';
import { askGoOracle, BUILD_TIMEOUT_MS, buildGoOracle } from './go-oracle.js';

/**
 * What Harvester's Go code does with the Setting's text, against the code no one here wrote:
 * kubevirt.io/api v1.7.0's MigrationConfiguration (the version of the CRD the project ships),
 * decoded from the raw text by encoding/json and by sigs.k8s.io/json's strict decoder
 * (test/kubevirt-oracle), over a generated corpus. Every text the library accepts must decode
 * there, to the same values; every text the library refuses and Go accepts must be one of the
 * library's documented refusals (docs/semantics.md §2), which are counted by kind.
 */
const ORACLE_DIR = join(__dirname, 'kubevirt-oracle');
const supported170 = (): ReadonlySet<string> => {
  const decoded = decodeSupportedOptions(readShippedCrd(KUBEVIRT_CRD_170));
  if (E.isLeft(decoded)) throw new Error(`the 1.7.0 CRD: ${decoded.left}`);
  return decoded.right;
};

/** JSON texts of values for each kind of option: edge numbers, number forms Go refuses, quantities, escapes, wrong types, nulls. */
const INTEGERS = [
  '0',
  '-0',
  '1',
  '-1',
  '2',
  '5',
  '10',
  '150',
  '2147483647',
  '2147483648',
  '-2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '18446744073709551615',
  '18446744073709551616',
  '5.0',
  '5.5',
  '0.0',
  '-0.0',
  '1e3',
  '1E3',
  '1e+3',
  '1e0',
  '1e-3',
  '10e-1',
  '1e400',
  '-1e400',
  '1e-400',
  '5.0000000000000001',
  '0.5',
];
const QUANTITIES = [
  '"0"',
  '"0Mi"',
  '"64Mi"',
  '"1Gi"',
  '"1024Mi"',
  '"500M"',
  '"1e3"',
  '"1E3"',
  '"1k"',
  '"1.5Ki"',
  '"7Ei"',
  '"8Ei"',
  '"9223372036854775807"',
  '"9223372036854775808"',
  '"1m"',
  '"0.5"',
  '"-1Mi"',
  '"+1Mi"',
  '" 64Mi"',
  '"64Mi "',
  '"1e3.0"',
  '"1.Ki"',
  '".5Ki"',
  '"0.0Gi"',
  '"0Pi"',
  '"0Ei"',
  '"1e-3"',
  '"1e18"',
  '"1e19"',
  '"Mi"',
  '""',
  '"abc"',
  '"64MiB"',
  '"\\u0031Gi"',
  '"1\\u0047i"',
  '"64\\u004di"',
  '"\\/1Gi"',
  '"1\\u0000Gi"',
  '"\\u00311"',
  '0',
  '64',
  '1048576',
  '1e3',
  '1.5',
  '0.5',
  '-1',
  '9007199254740992',
  '9223372036854775807',
  '1e19',
];
const BOOLEANS = ['true', 'false', '"true"', '0', '1'];
const PROTECTED = ['""', '"x"', '"kubevirt.io/drain"', '"\\u006bubevirt.io/drain"', '5', '"\\u0000"'];
const ANY = ['null', '{}', '[]', '"5"', 'true'];

/** Values a person would write for an option (most of them valid). */
const plausible = (key: string): readonly string[] => {
  const kind = optionSpec(key)?.kind.type;
  if (kind === 'integer') return ['0', '1', '2', '5', '10', '150', '300', '2147483647'];
  if (kind === 'quantity') return ['0', '"0"', '"64Mi"', '"1Gi"', '1048576', '"500M"', '"1e9"', '"0Mi"'];
  if (kind === 'boolean') return ['true', 'false', 'null'];
  return ['""', 'null'];
};

const valuesFor = (key: string): readonly string[] => {
  const kind = optionSpec(key)?.kind.type;
  const own =
    kind === 'integer' ? INTEGERS : kind === 'quantity' ? QUANTITIES : kind === 'boolean' ? BOOLEANS : PROTECTED;
  return [...own, ...ANY];
};

/** Keys as they may be written: every option, escaped spellings, other cases, unknown and pruned keys. */
const KEYS = [
  ...OPTIONS.map((o) => JSON.stringify(o.key)),
  '"progress\\u0054imeout"',
  '"ProgressTimeout"',
  '"progresstimeout"',
  '"bogus"',
  '"parallelMigrationPerCluster"',
  '"__proto__"',
  '""',
];
const keyName = (keyText: string): string => JSON.parse(keyText) as string;

/**
 * How many seeded random objects the corpus holds. Under `npm run mutation` (which sets
 * KUBEVIRT_MIGRATION_MUTATION) a tenth: the test runs again for every mutant of the decoder, and 24,000
 * texts in instrumented code take about 30 s each time; the deterministic part and every assertion stay.
 */
const RANDOM_OBJECTS = process.env['KUBEVIRT_MIGRATION_MUTATION'] === '1' ? 2400 : 24000;

/** A deterministic corpus: every key with every value of its kind, then seeded random objects, duplicates, spacing and non-objects. */
const corpus = (): string[] => {
  const out = [
    'null',
    '[]',
    '[1]',
    '5',
    '"x"',
    'true',
    '{}',
    ' {} ',
    '\t{\n}\r\n',
    '{"progressTimeout":1,}',
    '{',
    '{"progressTimeout":1} x',
  ];
  for (const key of KEYS) for (const value of valuesFor(keyName(key))) out.push(`{${key}:${value}}`);
  let seed = 20261204;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]): T => list[random(list.length)] as T;
  const spaces = ['', ' ', '\n  '];
  for (let i = 0; i < RANDOM_OBJECTS; i++) {
    const members: string[] = [];
    const count = 1 + random(4);
    // half of the objects hold only values a person would write for each option, so that many are accepted
    const clean = random(2) === 0;
    for (let j = 0; j < count; j++) {
      // mostly known options (the other keys are covered above, and suggesting a key for each is slow under Jest)
      const key = random(40) === 0 ? pick(KEYS) : JSON.stringify(pick(OPTIONS).key);
      const values = clean ? plausible(keyName(key)) : random(6) === 0 ? ANY : valuesFor(keyName(key));
      members.push(`${pick(spaces)}${key}${pick(spaces)}:${pick(spaces)}${pick(values)}`);
    }
    // a duplicate now and then, with the same or another value
    if (random(10) === 0 && members[0] !== undefined)
      members.push(random(2) === 0 ? members[0] : members[0].replace(/:.*$/, `:${pick(INTEGERS)}`));
    out.push(`${pick(spaces)}{${members.join(',')}}${pick(spaces)}`);
  }
  return out;
};

type Answer =
  { readonly ok: true; readonly config: Record<string, unknown> } | { readonly ok: false; readonly error: string };

/** The documented reasons the library refuses a text that Go decodes (docs/semantics.md §2), by violation. */
const refusalKind = (v: Violation, text: string, pattern: RegExp): string => {
  const key = v.field.split('.')[1] ?? '';
  const kind = optionSpec(key)?.kind.type;
  if (v.field === 'value' && v.reason === 'FieldValueTypeInvalid') return 'the text null';
  const written: unknown = (JSON.parse(text) as Record<string, unknown>)[key];
  if (kind === 'quantity' && typeof written === 'string' && !pattern.test(written))
    return "quantity the CRD's pattern refuses (spaces, no digits)";
  if (v.reason === 'FieldValueForbidden') return 'protected key';
  if (kind === 'integer' && v.reason === 'FieldValueInvalid')
    return 'range (0 or less where it stops migrations, negative, too large)';
  if (kind === 'quantity' && /KubeVirt would round/.test(v.message)) return 'quantity KubeVirt would round';
  if (kind === 'quantity' && /must not be negative|must be at most/.test(v.message))
    return 'range (0 or less where it stops migrations, negative, too large)';
  if (kind === 'quantity' && /holds exactly/.test(v.message)) return 'JSON number a double cannot hold exactly';
  return `UNDOCUMENTED: ${v.field}: ${v.message}`;
};

/** Our decoded value and Go's mean the same: integers and booleans equal, quantities of the same exact value, "" for a protected key. */
const sameMeaning = (ours: MigrationConfig, go: Record<string, unknown>): boolean => {
  const keys = new Set([...Object.keys(ours), ...Object.keys(go)]);
  for (const key of keys) {
    const a: unknown = (ours as Record<string, unknown>)[key];
    const b = go[key];
    if (optionSpec(key)?.kind.type === 'quantity') {
      const x = parseQuantity(String(a));
      const y = parseQuantity(String(b));
      if (!x.ok || !y.ok || x.value.num * y.value.den !== y.value.num * x.value.den) return false;
    } else if (a !== b) return false;
  }
  return true;
};

describe('the setting text, differentially against kubevirt.io/api v1.7.0 MigrationConfiguration decoded by Go (strict)', () => {
  let oracle = '';
  // on a fresh machine the first build downloads kubevirt.io/api and k8s.io/api: minutes, not seconds
  beforeAll(() => {
    oracle = buildGoOracle(ORACLE_DIR, 'kubevirt-oracle');
  }, BUILD_TIMEOUT_MS);

  it('every text the library accepts decodes in Go to the same values; every other difference is a documented refusal', () => {
    const texts = corpus();
    const answers = askGoOracle(oracle, ['decode'], texts) as Answer[];
    expect(answers).toHaveLength(texts.length);
    const supported = supported170();
    const pattern = bandwidthPattern170();
    const counts = { texts: texts.length, bothAccept: 0, bothRefuse: 0, oursOnlyAccept: 0, goOnlyAccept: 0 };
    const refusals = new Map<string, number>();
    const disagreements: string[] = [];
    texts.forEach((text, i) => {
      const go = answers[i] as Answer;
      const ours = decodeConfigText(text, 'value', supported);
      if (E.isRight(ours) && go.ok) {
        counts.bothAccept++;
        if (!sameMeaning(ours.right, go.config))
          disagreements.push(`${text}: ours ${JSON.stringify(ours.right)}, Go ${JSON.stringify(go.config)}`);
      } else if (E.isRight(ours) && !go.ok) {
        counts.oursOnlyAccept++;
        disagreements.push(`${text}: accepted here, Go refuses it: ${go.error}`);
      } else if (E.isLeft(ours) && go.ok) {
        counts.goOnlyAccept++;
        const kinds = [...new Set(ours.left.map((v) => refusalKind(v, text, pattern)))].sort().join(' + ');
        refusals.set(kinds, (refusals.get(kinds) ?? 0) + 1);
        if (kinds.includes('UNDOCUMENTED')) disagreements.push(`${text}: refused here, Go accepts it: ${kinds}`);
      } else counts.bothRefuse++;
    });
    const byKind = [...refusals].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} ${k}`);
    console.log(
      [
        `setting texts: ${counts.texts} decoded here and by kubevirt.io/api v1.7.0 MigrationConfiguration (encoding/json + sigs.k8s.io/json strict)`,
        `both accept: ${counts.bothAccept} (same values); both refuse: ${counts.bothRefuse}; accepted here only: ${counts.oursOnlyAccept}; accepted by Go only: ${counts.goOnlyAccept}, refused here on purpose:`,
        ...byKind,
        `disagreements: ${disagreements.length}`,
      ].join('\n'),
    );
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(counts.oursOnlyAccept).toBe(0);
    // the corpus is worth something only if it has texts on every side
    expect(counts.texts).toBeGreaterThan(RANDOM_OBJECTS);
    expect(Math.min(counts.bothAccept, counts.bothRefuse, counts.goOnlyAccept)).toBeGreaterThan(RANDOM_OBJECTS / 80);
  }, 120000);
});
