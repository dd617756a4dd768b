import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigText } from './config.js';
import { configWarnings } from './warnings.js';

const fieldsOf = (text: string, root: string): string[] => {
  const decoded = decodeConfigText(text, root);
  if (E.isLeft(decoded)) throw new Error(`${text} should decode`);
  return configWarnings(decoded.right, root).map((w) => {
    // the path is the data; the field its one rendering
    expect(w.field).toBe(w.path.join('.'));
    return w.field;
  });
};

describe('configWarnings: each warning names the field a form shows it at', () => {
  it.each<[string, string, string, string[]]>([
    [
      'post-copy that never starts: at the option that stops it',
      '{"allowPostCopy":true,"allowWorkloadDisruption":false}',
      'value',
      ['value.allowWorkloadDisruption'],
    ],
    [
      'timeouts below the UI minimum',
      '{"progressTimeout":1,"completionTimeoutPerGiB":2}',
      'value',
      ['value.completionTimeoutPerGiB', 'value.progressTimeout'],
    ],
    ['a bare-number bandwidth', '{"bandwidthPerMigration":64}', 'default', ['default.bandwidthPerMigration']],
    [
      'timeouts turned off by 0: one warning each, not a second one for the UI minimum',
      '{"progressTimeout":0,"completionTimeoutPerGiB":0}',
      'value',
      ['value.completionTimeoutPerGiB', 'value.progressTimeout'],
    ],
    ['nothing to say', '{"parallelMigrationsPerCluster":3}', 'value', []],
  ])('%s', (_name, text, root, fields) => {
    expect(fieldsOf(text, root)).toEqual(fields);
  });

  it('each warning carries its path as keys', () => {
    const decoded = decodeConfigText('{"progressTimeout":1}', 'value');
    if (E.isLeft(decoded)) throw new Error('should decode');
    expect(configWarnings(decoded.right, 'value').map((w) => w.path)).toEqual([['value', 'progressTimeout']]);
  });
});
