import fc from 'fast-check';

import { OPTIONS, type OptionSpec } from '../options.js';

/** fast-check generators derived from the options table. */

const quantity = fc.oneof(
  fc.nat({ max: 2 ** 40 }),
  fc
    .tuple(fc.nat({ max: 4096 }), fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'k', 'M', 'G', 'e3'))
    .map(([n, s]) => `${n}${s}`),
);

const valueFor = (o: OptionSpec): fc.Arbitrary<unknown> => {
  switch (o.kind.type) {
    case 'integer':
      return fc.integer({ min: o.kind.min, max: Math.min(o.kind.max, Number.MAX_SAFE_INTEGER) });
    case 'boolean':
      return fc.boolean();
    case 'quantity':
      return quantity;
    case 'protected':
      return fc.constant('');
  }
};

/** A valid configuration object, any subset of the options. */
export const validConfig: fc.Arbitrary<Record<string, unknown>> = fc.record(
  Object.fromEntries(OPTIONS.map((o) => [o.key, valueFor(o)])),
  { requiredKeys: [] },
);

/** A migrations block as a CR might hold it: valid owned options, any network and drain key, foreign keys. */
export const migrationsBlock: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    validConfig,
    fc.option(fc.string(), { nil: undefined }),
    fc.option(fc.constantFrom('kubevirt.io/drain', '', 'example.com/drain'), { nil: undefined }),
    fc.dictionary(fc.constantFrom('futureOption', 'x-extra'), fc.jsonValue(), { maxKeys: 2 }),
  )
  .map(([config, network, drain, extra]) => ({
    ...extra,
    ...config,
    ...(network === undefined ? {} : { network }),
    ...(drain === undefined ? {} : { nodeDrainTaintKey: drain }),
  }));

const FACTORS: Readonly<Record<string, bigint>> = {
  '': 1n,
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  k: 1000n,
  M: 1000n ** 2n,
  G: 1000n ** 3n,
  e3: 1000n,
};

/**
 * An oracle independent of the code under test: the meaning of an owned option as the generators
 * above write it (a quantity `<digits><suffix>` multiplied out by a table of its own, no parser).
 */
export const meaning = (key: string, value: unknown): unknown => {
  if (value === undefined || value === null) return undefined;
  if (key !== 'bandwidthPerMigration') return value;
  if (typeof value === 'number') return BigInt(value);
  const m = /^(\d+)(.*)$/.exec(String(value));
  const factor = m?.[2] === undefined ? undefined : FACTORS[m[2]];
  if (m?.[1] === undefined || factor === undefined) throw new Error(`the oracle does not know ${String(value)}`);
  return BigInt(m[1]) * factor;
};
