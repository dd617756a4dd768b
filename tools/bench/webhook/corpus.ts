// The reviews the webhook benchmark sends: the repeated one (the same body every time, as the API
// server sends when one change is retried; the webhook's decode memo answers it) and a corpus of
// distinct ones (each a value never sent before in the cycle, as a stream of real changes is).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { settingObject, TYPICAL_VALUE } from '../policy.js';

/** Distinct reviews in the corpus: far more than the 16 texts the webhook's decoder remembers. */
const DISTINCT = 5000;

export interface Corpora {
  /** One review per line: an UPDATE from no value to TYPICAL_VALUE. */
  readonly repeated: string;
  /** DISTINCT reviews, each an UPDATE from the previous one's value to a value of its own. */
  readonly distinct: string;
}

/** A typical value with its own bandwidth and timeouts: valid, and a change from value(i - 1). */
const distinctValue = (i: number): string => {
  const value: unknown = JSON.parse(TYPICAL_VALUE);
  return JSON.stringify({
    ...(value as object),
    bandwidthPerMigration: `${256 + i}Mi`,
    completionTimeoutPerGiB: 100 + (i % 700),
  });
};

const review = (uid: string, value: string | undefined, oldValue: string | undefined): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      operation: 'UPDATE',
      name: 'kubevirt-migration',
      object: settingObject(value),
      oldObject: settingObject(oldValue),
    },
  });

export const writeCorpora = (dir: string): Corpora => {
  const repeated = join(dir, 'repeated.jsonl');
  writeFileSync(repeated, `${review('bench', TYPICAL_VALUE, undefined)}\n`);
  const distinct = join(dir, 'distinct.jsonl');
  const lines = Array.from({ length: DISTINCT }, (_, i) =>
    review(`bench-${i}`, distinctValue(i), i === 0 ? undefined : distinctValue(i - 1)),
  );
  writeFileSync(distinct, `${lines.join('\n')}\n`);
  return { repeated, distinct };
};
