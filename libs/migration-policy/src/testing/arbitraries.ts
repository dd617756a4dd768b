import fc from 'fast-check';
import { OPTIONS, type OptionSpec } from '../options.js';

/** fast-check generators derived from the options table. */

const quantity = fc.oneof(
  fc.nat({ max: 2 ** 40 }),
  fc.tuple(fc.nat({ max: 4096 }), fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'k', 'M', 'G', 'e3')).map(([n, s]) => `${n}${s}`),
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
