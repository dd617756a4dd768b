import * as E from 'fp-ts/lib/Either.js';

import { applyPatch } from './patch.js';
import { HASH_ANNOTATION } from './setting.js';
import { planSettingRecord } from './status.js';
import { setting } from './testing/fixtures.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00Z';
const ok = { status: 'True', reason: 'Applied', message: 'the KubeVirt CR matches the setting' } as const;
const withRv = (s: object, rv = '9') => ({
  ...s,
  metadata: { ...(s as { metadata: object }).metadata, resourceVersion: rv },
});

const apply = (doc: unknown, ops: Parameters<typeof applyPatch>[1]) => {
  const r = applyPatch(doc, ops);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right as {
    metadata: { annotations?: Record<string, string> };
    status?: { conditions: Record<string, string>[] };
  };
};

describe('recording a pass on the Setting', () => {
  it('adds the marker and the condition, guarded by the resourceVersion', () => {
    const s = withRv(setting('{}'));
    const ops = planSettingRecord(s, { condition: ok, annotations: { [HASH_ANNOTATION]: 'abc' } }, T0);
    expect(ops[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '9' });
    const after = apply(s, ops);
    expect(after.metadata.annotations).toEqual({ 'harvesterhci.io/hash': 'abc' });
    expect(after.status?.conditions).toEqual([
      { type: 'configured', ...ok, lastUpdateTime: T0, lastTransitionTime: T0 },
    ]);
  });

  it('writes nothing when the Setting already says it', () => {
    const s = apply(
      withRv(setting('{}')),
      planSettingRecord(withRv(setting('{}')), { condition: ok, annotations: { [HASH_ANNOTATION]: 'abc' } }, T0),
    );
    expect(planSettingRecord(s, { condition: ok, annotations: { [HASH_ANNOTATION]: 'abc' } }, T1)).toEqual([]);
  });

  it('moves lastTransitionTime only when the status changes, and keeps other conditions', () => {
    const base = {
      ...withRv(setting('{}')),
      status: {
        conditions: [
          { type: 'other', status: 'True' },
          { type: 'configured', ...ok, lastUpdateTime: T0, lastTransitionTime: T0 },
        ],
      },
    };
    const sameStatus = apply(base, planSettingRecord(base, { condition: { ...ok, message: 'changed' } }, T1));
    expect(sameStatus.status?.conditions).toEqual([
      { type: 'other', status: 'True' },
      { type: 'configured', ...ok, message: 'changed', lastUpdateTime: T1, lastTransitionTime: T0 },
    ]);
    const failed = apply(
      base,
      planSettingRecord(base, { condition: { status: 'False', reason: 'InvalidSetting', message: 'x' } }, T1),
    );
    expect(failed.status?.conditions[1]).toMatchObject({ status: 'False', lastTransitionTime: T1 });
  });

  it('adds to existing annotations without replacing them', () => {
    const s = withRv(setting('{}', { annotations: { keep: 'me' } }));
    expect(
      apply(s, planSettingRecord(s, { condition: ok, annotations: { [HASH_ANNOTATION]: 'abc' } }, T0)).metadata
        .annotations,
    ).toEqual({
      keep: 'me',
      'harvesterhci.io/hash': 'abc',
    });
  });
});

describe('recording a pass: what counts as already said', () => {
  const withCondition = (c: Record<string, unknown>, others: unknown[] = []) => ({
    ...withRv(setting('{}')),
    status: { conditions: [...others, { type: 'configured', lastTransitionTime: T0, ...c }] },
  });

  it.each([
    ['another status', { ...ok, status: 'False' }],
    ['another reason', { ...ok, reason: 'Other' }],
    ['another message', { ...ok, message: 'other' }],
  ])('a condition with %s is written again', (_name, stored) => {
    expect(planSettingRecord(withCondition(stored), { condition: ok }, T1)).not.toEqual([]);
  });

  it('the same condition is not written again', () => {
    expect(planSettingRecord(withCondition(ok), { condition: ok }, T1)).toEqual([]);
  });

  it('True to False with the same reason moves lastTransitionTime', () => {
    const after = apply(
      withCondition(ok),
      planSettingRecord(withCondition(ok), { condition: { ...ok, status: 'False' } }, T1),
    );
    expect(after.status?.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'Applied',
      lastTransitionTime: T1,
      lastUpdateTime: T1,
    });
  });

  it('a stored lastTransitionTime that is not a string is replaced by now', () => {
    const stored = withCondition({ ...ok, message: 'old', lastTransitionTime: 5 });
    expect(apply(stored, planSettingRecord(stored, { condition: ok }, T1)).status?.conditions[0]).toMatchObject({
      lastTransitionTime: T1,
    });
  });

  it('entries of the conditions list that are not objects are dropped, other conditions kept', () => {
    const stored = { ...withRv(setting('{}')), status: { conditions: ['junk', { type: 'other', status: 'True' }] } };
    expect(apply(stored, planSettingRecord(stored, { condition: ok }, T1)).status?.conditions).toEqual([
      { type: 'other', status: 'True' },
      { type: 'configured', ...ok, lastUpdateTime: T1, lastTransitionTime: T1 },
    ]);
  });

  it('an annotation already holding the marker is not written again', () => {
    const s = withRv(setting('{}', { annotations: { [HASH_ANNOTATION]: 'abc' } }));
    expect(
      planSettingRecord(s, { condition: ok, annotations: { [HASH_ANNOTATION]: 'abc' } }, T0).filter((op) =>
        op.path.startsWith('/metadata/annotations'),
      ),
    ).toEqual([]);
  });
});
