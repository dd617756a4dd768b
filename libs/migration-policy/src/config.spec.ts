import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigObject, decodeConfigText, encodeConfig } from './config.js';
import { formatViolation, type Violation } from './violation.js';

const printed = (d: E.Either<readonly Violation[], unknown>): readonly string[] =>
  E.isLeft(d) ? d.left.map(formatViolation) : [];

describe('decodeConfigObject and decodeConfigText: what is not an object of options, as printed', () => {
  it.each<[unknown, string]>([
    [5, 'value: Invalid value: 5: must be a JSON object of migration options, not a number'],
    [['x'], 'value: Invalid value: ["x"]: must be a JSON object of migration options, not an array'],
    [null, 'value: Invalid value: null: must be a JSON object of migration options, not null'],
  ])('the value %j', (input, message) => {
    expect(printed(decodeConfigObject(input, ['value']))).toEqual([message]);
  });

  it('a text that is not JSON names its root and says why', () => {
    const [message] = printed(decodeConfigText('{"progressTimeout":', 'default'));
    expect(message).toMatch(
      /^default: Invalid value: "\{\\"progressTimeout\\":": must be a JSON object of migration options; it is not valid JSON \(.+\)$/,
    );
  });
});

describe('encodeConfig', () => {
  it('writes the options set, in the table’s order, and no key for the others', () => {
    const encoded = encodeConfig({ progressTimeout: 300, parallelMigrationsPerCluster: 3 });
    expect(Object.keys(encoded)).toEqual(['parallelMigrationsPerCluster', 'progressTimeout']);
    expect(encodeConfig({})).toStrictEqual({});
  });
});
