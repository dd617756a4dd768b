import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';

import { decodeSupportedOptions } from '../src/crd.js';
import { decodePolicyCrdFields } from '../src/effective/policy-crd.js';
import { OPTION_KEYS } from '../src/options.js';
import { POLICY_FIELDS_170, SUPPORTED_170 } from '../src/testing/fixtures.js';
import { CRDS_DIR, KUBEVIRT_CRD_170, POLICY_CRD_170, readShippedCrd } from './crd-files.js';

describe('the derived CRD: KubeVirt 1.7.0 with maxDowntimeMs as v1.9.0 declares it (control-plane/crds/SOURCES.md)', () => {
  const base = readFileSync(join(CRDS_DIR, KUBEVIRT_CRD_170), 'utf8').split('\n');
  const derived = readFileSync(
    join(CRDS_DIR, 'kubevirt-kubevirts.kubevirt.io-v1.7.0-with-maxDowntimeMs.yaml'),
    'utf8',
  ).split('\n');
  // pkg/virt-operator/resource/generate/components/validations_generated.go at v1.9.0, lines 1422-1429
  const v190 = [
    'maxDowntimeMs:',
    '  description: |-',
    '    MaxDowntimeMs specifies the maximum tolerable downtime (in milliseconds) during switchover.',
    '    Defaults to 900',
    '  format: int64',
    '  maximum: 2000000',
    '  minimum: 1',
    '  type: integer',
  ];

  it('is the 1.7.0 file with those eight lines inserted before network: of each version, and nothing else', () => {
    const expected: string[] = [];
    base.forEach((line) => {
      if (line.trim() === 'network:' && expected.some((l) => l.trim() === 'matchSELinuxLevelOnMigration:')) {
        const indent = line.length - line.trimStart().length;
        if (expected[expected.length - 1]?.trim() === 'type: boolean')
          expected.push(...v190.map((l) => `${' '.repeat(indent)}${l}`));
      }
      expected.push(line);
    });
    expect(derived.length - base.length).toBe(16);
    expect(derived).toEqual(expected);
  });

  it('lists maxDowntimeMs, and still not utilityVolumesTimeout', () => {
    const supported = decodeSupportedOptions(parse(derived.join('\n')));
    expect(E.isRight(supported) && OPTION_KEYS.filter((k) => !supported.right.has(k))).toEqual([
      'utilityVolumesTimeout',
    ]);
  });
});

describe('spec fields of an installed MigrationPolicy CRD', () => {
  it('the 1.7.0 CRD lists the selectors and every policy option but maxDowntimeMs', () => {
    const fields = decodePolicyCrdFields(readShippedCrd(POLICY_CRD_170));
    expect(E.isRight(fields) && [...fields.right].sort()).toEqual([...POLICY_FIELDS_170].sort());
  });

  it.each<[string, unknown, string]>([
    [
      'another CRD',
      { kind: 'CustomResourceDefinition', metadata: { name: 'kubevirts.kubevirt.io' } },
      'is not the CustomResourceDefinition migrationpolicies.migrations.kubevirt.io',
    ],
    [
      'no versions',
      { kind: 'CustomResourceDefinition', metadata: { name: 'migrationpolicies.migrations.kubevirt.io' }, spec: {} },
      'has no storage version',
    ],
    [
      'a version without a schema',
      {
        kind: 'CustomResourceDefinition',
        metadata: { name: 'migrationpolicies.migrations.kubevirt.io' },
        spec: { versions: [{ name: 'v1alpha1', storage: true }] },
      },
      'has no schema for spec',
    ],
  ])('%s: refused, saying why', (_name, crd, message) => {
    expect(decodePolicyCrdFields(crd)).toEqual(E.left(message));
  });

  const policyCrdWith = (kind: string, versions: unknown): unknown => ({
    kind,
    metadata: { name: 'migrationpolicies.migrations.kubevirt.io' },
    spec: { versions },
  });
  const specOf = (...fields: string[]) => ({
    schema: {
      openAPIV3Schema: { properties: { spec: { properties: Object.fromEntries(fields.map((f) => [f, {}])) } } },
    },
  });

  it('refuses another kind of the same name', () => {
    expect(
      decodePolicyCrdFields(policyCrdWith('Other', [{ name: 'v1alpha1', storage: true, ...specOf('a') }])),
    ).toEqual(E.left('is not the CustomResourceDefinition migrationpolicies.migrations.kubevirt.io'));
  });

  it.each<[string, unknown, readonly string[]]>([
    [
      'the storage version, wherever it stands',
      [
        { name: 'v1alpha1', ...specOf('old') },
        { name: 'v1beta1', storage: true, ...specOf('new') },
      ],
      ['new'],
    ],
    [
      'v1alpha1 when no version says it is stored',
      [
        { name: 'v1', ...specOf('other') },
        { name: 'v1alpha1', ...specOf('a', 'b') },
      ],
      ['a', 'b'],
    ],
  ])('reads %s', (_name, versions, fields) => {
    const got = decodePolicyCrdFields(policyCrdWith('CustomResourceDefinition', versions));
    expect(E.isRight(got) && [...got.right]).toEqual(fields);
  });

  it('refuses versions that are not a list', () => {
    expect(decodePolicyCrdFields(policyCrdWith('CustomResourceDefinition', { v1alpha1: {} }))).toEqual(
      E.left('has no storage version'),
    );
  });
});

describe('options supported by an installed KubeVirt CRD', () => {
  it('the 1.7.0 CRD lists every option but utilityVolumesTimeout and maxDowntimeMs', () => {
    const supported = decodeSupportedOptions(readShippedCrd(KUBEVIRT_CRD_170));
    expect(E.isRight(supported) && OPTION_KEYS.filter((k) => !supported.right.has(k))).toEqual([
      'utilityVolumesTimeout',
      'maxDowntimeMs',
    ]);
    expect(E.isRight(supported) && [...supported.right].sort()).toEqual([...SUPPORTED_170].sort());
  });

  it.each<[string, unknown, string]>([
    ['not a CRD', { kind: 'KubeVirt' }, 'is not the CustomResourceDefinition kubevirts.kubevirt.io'],
    [
      'a CRD with no versions',
      { kind: 'CustomResourceDefinition', metadata: { name: 'kubevirts.kubevirt.io' }, spec: {} },
      'has no storage version',
    ],
    [
      'a CRD without the migrations schema',
      {
        kind: 'CustomResourceDefinition',
        metadata: { name: 'kubevirts.kubevirt.io' },
        spec: { versions: [{ name: 'v1', storage: true }] },
      },
      'has no schema for spec.configuration.migrations',
    ],
  ])('%s is refused with a reason', (_name, crd, reason) => {
    expect(decodeSupportedOptions(crd)).toEqual(E.left(reason));
  });
});
