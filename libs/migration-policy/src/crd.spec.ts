import * as E from 'fp-ts/lib/Either.js';

import { decodeCrdOptions, decodeSupportedOptions } from './crd.js';

const schemaWith = (options: readonly string[]) => ({
  openAPIV3Schema: {
    properties: {
      spec: {
        properties: {
          configuration: {
            properties: { migrations: { properties: Object.fromEntries(options.map((o) => [o, {}])) } },
          },
        },
      },
    },
  },
});
const crd = (versions: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'kubevirts.kubevirt.io' },
  spec: { versions },
  ...extra,
});
const options = (u: unknown) => {
  const r = decodeSupportedOptions(u);
  return E.isRight(r) ? [...r.right] : r.left;
};

describe('options supported by a KubeVirt CRD', () => {
  it('reads the storage version', () => {
    expect(
      options(
        crd([
          { name: 'v1alpha3', schema: schemaWith(['a']) },
          { name: 'v2', storage: true, schema: schemaWith(['b', 'c']) },
        ]),
      ),
    ).toEqual(['b', 'c']);
  });

  it('falls back to v1 when no version says it is stored', () => {
    expect(
      options(
        crd([
          { name: 'v1alpha3', schema: schemaWith(['a']) },
          { name: 'v1', schema: schemaWith(['b']) },
        ]),
      ),
    ).toEqual(['b']);
  });

  it.each<[string, unknown, string]>([
    ['another kind', { ...crd([]), kind: 'ConfigMap' }, 'is not the CustomResourceDefinition kubevirts.kubevirt.io'],
    [
      'another CRD',
      { ...crd([]), metadata: { name: 'settings.harvesterhci.io' } },
      'is not the CustomResourceDefinition kubevirts.kubevirt.io',
    ],
    ['no versions', crd(undefined), 'has no storage version'],
    ['versions that are not a list', crd({ v1: {} }), 'has no storage version'],
    [
      'neither a stored version nor v1',
      crd([{ name: 'v1alpha3', schema: schemaWith(['a']) }]),
      'has no storage version',
    ],
    [
      'no schema for the migrations block',
      crd([{ name: 'v1', storage: true, schema: { openAPIV3Schema: { properties: {} } } }]),
      'has no schema for spec.configuration.migrations',
    ],
    [
      'a migrations schema without properties',
      crd([
        {
          name: 'v1',
          storage: true,
          schema: {
            openAPIV3Schema: {
              properties: {
                spec: { properties: { configuration: { properties: { migrations: { type: 'object' } } } } },
              },
            },
          },
        },
      ]),
      'has no schema for spec.configuration.migrations',
    ],
  ])('%s: %s', (_name, u, message) => {
    expect(options(u)).toBe(message);
  });
});

describe('descriptions of the options in a KubeVirt CRD', () => {
  it('each listed option with its description, or undefined where it has none', () => {
    const versions = [
      {
        name: 'v1',
        storage: true,
        schema: {
          openAPIV3Schema: {
            properties: {
              spec: {
                properties: {
                  configuration: {
                    properties: { migrations: { properties: { a: { description: 'Alpha.' }, b: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      },
    ];
    const r = decodeCrdOptions(crd(versions));
    expect(E.isRight(r) && [...r.right]).toEqual([
      ['a', 'Alpha.'],
      ['b', undefined],
    ]);
  });
});
