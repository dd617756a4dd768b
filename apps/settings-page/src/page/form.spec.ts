import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { OPTIONS } from '@kubevirt-migration/migration-policy';
import fc from 'fast-check';

import { readKubevirtOptions } from '../kubevirt-options.js';
import { check, fieldsOf, type KubevirtOptions, preview, supportedOf, valueText } from './form.js';

const CRD = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'control-plane',
  'crds',
  'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml',
);
const v170: KubevirtOptions = readKubevirtOptions(CRD);
const fields = fieldsOf(v170);
const supported = supportedOf(v170);
const NOW = '2026-11-24T00:00:00Z';

const CR = `apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata: {name: kubevirt, namespace: harvester-system}
spec:
  configuration:
    migrations: {parallelMigrationsPerCluster: 5, bandwidthPerMigration: "0"}
`;

describe('fieldsOf: the form from the options table', () => {
  it('has one field per option, in the table order', () => {
    expect(fields.map((f) => f.key)).toEqual(OPTIONS.map((o) => o.key));
  });

  it.each<[string, Partial<ReturnType<typeof fieldsOf>[number]>]>([
    [
      'parallelMigrationsPerCluster',
      { kind: 'integer', minimum: 1, maximum: 2147483647, unit: 'migrations', kubevirtDefault: 5 },
    ],
    ['progressTimeout', { kind: 'integer', uiMinimum: 10, unit: 'seconds' }],
    ['bandwidthPerMigration', { kind: 'quantity', unit: 'bytes per second' }],
    ['allowPostCopy', { kind: 'boolean' }],
    ['network', { kind: 'protected' }],
  ])('%s', (key, expected) => {
    expect(fields.find((f) => f.key === key)).toMatchObject(expected);
  });

  it("each field's kind and range are its option's", () => {
    for (const option of OPTIONS) {
      const field = fields.find((f) => f.key === option.key);
      expect(field?.kind).toBe(option.kind.type);
      const range = option.kind.type === 'integer' ? [option.kind.min, option.kind.max] : [undefined, undefined];
      expect([field?.minimum, field?.maximum]).toEqual(range);
    }
  });

  it("takes help texts from the CRD's descriptions, one line each", () => {
    expect(fields.find((f) => f.key === 'allowPostCopy')?.help).toMatch(
      /^AllowPostCopy enables post-copy live migrations\. [^\n]+$/,
    );
  });

  it('locks protected options and those the CRD does not list, saying why', () => {
    const locked = Object.fromEntries(fields.filter((f) => f.locked !== undefined).map((f) => [f.key, f.locked]));
    expect(Object.keys(locked).sort()).toEqual([
      'maxDowntimeMs',
      'network',
      'nodeDrainTaintKey',
      'utilityVolumesTimeout',
    ]);
    expect(locked['maxDowntimeMs']).toBe(
      'The KubeVirt v1.7.0 CRD does not list this option (it came in KubeVirt 1.9): the API server would drop it.',
    );
  });

  it('without a CRD, offers every owned option with the table’s help', () => {
    const all = fieldsOf();
    expect(all.filter((f) => f.locked !== undefined).map((f) => f.key)).toEqual(['nodeDrainTaintKey', 'network']);
    expect(all.find((f) => f.key === 'maxDowntimeMs')?.help).toBe(
      OPTIONS.find((o) => o.key === 'maxDowntimeMs')?.description,
    );
  });
});

describe('valueText: what a form state saves', () => {
  it.each<[string, Record<string, string>, string]>([
    ['nothing set: every option at its default', {}, '{}'],
    [
      'numbers as typed, in field order',
      { progressTimeout: '300', parallelMigrationsPerCluster: '3' },
      '{"parallelMigrationsPerCluster":3,"progressTimeout":300}',
    ],
    [
      'a big number keeps its digits',
      { completionTimeoutPerGiB: '9007199254740993' },
      '{"completionTimeoutPerGiB":9007199254740993}',
    ],
    ['not a number: saved as text, for the policy to refuse', { progressTimeout: '5m' }, '{"progressTimeout":"5m"}'],
    ['a quantity is always a string', { bandwidthPerMigration: '64' }, '{"bandwidthPerMigration":"64"}'],
    [
      'booleans',
      { allowPostCopy: 'true', allowAutoConverge: 'false' },
      '{"allowAutoConverge":false,"allowPostCopy":true}',
    ],
    ['blank and locked fields are left out', { progressTimeout: '  ', network: 'x', maxDowntimeMs: '5' }, '{}'],
  ])('%s', (_name, state, text) => {
    expect(valueText(fields, state)).toBe(text);
  });

  it('always saves a JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...OPTIONS.map((o) => o.key)), fc.string()), (state) => {
        const parsed: unknown = JSON.parse(valueText(fields, state));
        expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
      }),
    );
  });
});

describe('check: every violation and warning at its field', () => {
  it('places a violation at its field', () => {
    const m = check(fields, valueText(fields, { parallelMigrationsPerCluster: '0' }), supported);
    expect(m.valid).toBe(false);
    expect(m.byField.get('parallelMigrationsPerCluster')?.violations).toEqual([
      expect.stringMatching(/^Invalid value: 0: /),
    ]);
  });

  it('reports several fields at once', () => {
    const m = check(
      fields,
      valueText(fields, { parallelMigrationsPerCluster: '0', progressTimeout: 'soon', bandwidthPerMigration: '1e3.0' }),
      supported,
    );
    expect([...m.byField.keys()].sort()).toEqual([
      'bandwidthPerMigration',
      'parallelMigrationsPerCluster',
      'progressTimeout',
    ]);
  });

  it('places a warning at its field', () => {
    const m = check(fields, valueText(fields, { bandwidthPerMigration: '64' }), supported);
    expect(m.valid).toBe(true);
    expect(m.byField.get('bandwidthPerMigration')?.warnings).toEqual([expect.stringContaining('did you mean "64Mi"?')]);
  });

  it('places a duplicate key at that key', () => {
    const m = check(fields, '{"parallelMigrationsPerCluster":1,"parallelMigrationsPerCluster":2}', supported);
    expect(m.byField.get('parallelMigrationsPerCluster')?.violations).toEqual([
      expect.stringMatching(/^Duplicate value: /),
    ]);
  });

  it('keeps messages about the whole value, or a key the form has not, apart', () => {
    expect(check(fields, '[]', supported).general).toEqual([expect.stringMatching(/^value: /)]);
    expect(check(fields, '{"bandwith":1}', supported).general).toEqual([
      expect.stringMatching(/^value\.bandwith: .*bandwidthPerMigration/),
    ]);
  });

  it('places by the path, not by its rendering: a key below a field, or one that only reads like a field, stays apart', () => {
    const nested = check(fields, '{"progressTimeout":{"a":1,"a":2}}', supported);
    expect(nested.general).toEqual([expect.stringMatching(/^value\.progressTimeout\.a: Duplicate value: /)]);
    expect(nested.byField.get('progressTimeout')?.violations).toEqual([expect.stringMatching(/^Invalid value: /)]);
    const dotted = check(fields, '{"progressTimeout.x":1}', supported);
    expect(dotted.byField.size).toBe(0);
    expect(dotted.general).toEqual([expect.stringMatching(/^value\["progressTimeout\.x"\]: Unsupported value: /)]);
  });
});

describe('preview: the patch the controller would send', () => {
  it('is the plan of the value against the pasted CR, before and after', () => {
    const p = preview('{"parallelMigrationsPerCluster":3}', CR, supported, NOW);
    expect(p.kind).toBe('patch');
    if (p.kind !== 'patch') return;
    expect(p.patch).toContainEqual({
      op: 'replace',
      path: '/spec/configuration/migrations/parallelMigrationsPerCluster',
      value: 3,
    });
    expect(p.before).toMatchObject({ parallelMigrationsPerCluster: 5 });
    expect(p.after).toMatchObject({ parallelMigrationsPerCluster: 3 });
  });

  it.each<[string, string, string, string]>([
    ['no CR pasted', '{}', '', 'none'],
    ['an invalid value', '{"parallelMigrationsPerCluster":0}', CR, 'invalid'],
    ['YAML that is not a CR', '{}', 'kind: Pod', 'unreadable'],
    ['text that is not YAML', '{}', 'a: [', 'unreadable'],
  ])('%s', (_name, value, cr, kind) => {
    expect(preview(value, cr, supported, NOW).kind).toBe(kind);
  });

  it('says when the CR already holds the value', () => {
    const p = preview('{"parallelMigrationsPerCluster":3}', CR, supported, NOW);
    if (p.kind !== 'patch') throw new Error('expected a patch');
    const after = `apiVersion: kubevirt.io/v1\nkind: KubeVirt\nmetadata: {name: kubevirt, namespace: harvester-system}\nspec:\n  configuration:\n    migrations: ${JSON.stringify(p.after)}\n`;
    expect(preview('{"parallelMigrationsPerCluster":3}', after, supported, NOW).kind).toBe('unchanged');
  });
});

describe('readKubevirtOptions', () => {
  it('names the file and the problem', () => {
    expect(() => readKubevirtOptions('/nonexistent.yaml')).toThrow(
      'cannot read the KubeVirt CRD /nonexistent.yaml (ENOENT)',
    );
    expect(() => readKubevirtOptions(join(__dirname, '..', '..', 'package.json'))).toThrow(
      /package\.json is not the CustomResourceDefinition kubevirts\.kubevirt\.io$/,
    );
    expect(readFileSync(CRD, 'utf8')).toContain('kubevirts.kubevirt.io');
  });
});
