import * as E from 'fp-ts/lib/Either.js';

import { at, isRecord } from './json.js';

/**
 * The options an installed KubeVirt CRD lists under `spec.configuration.migrations` of its storage
 * version (v1), each with the description the CRD gives it.
 */
export const decodeCrdOptions = (crd: unknown): E.Either<string, ReadonlyMap<string, string | undefined>> => {
  if (at(crd, 'kind') !== 'CustomResourceDefinition' || at(crd, 'metadata', 'name') !== 'kubevirts.kubevirt.io') {
    return E.left('is not the CustomResourceDefinition kubevirts.kubevirt.io');
  }
  const versions = at(crd, 'spec', 'versions');
  const list = Array.isArray(versions) ? versions : [];
  const version = list.find((v) => at(v, 'storage') === true) ?? list.find((v) => at(v, 'name') === 'v1');
  if (version === undefined) return E.left('has no storage version');
  const props = at(
    version,
    'schema',
    'openAPIV3Schema',
    'properties',
    'spec',
    'properties',
    'configuration',
    'properties',
    'migrations',
    'properties',
  );
  if (!isRecord(props)) return E.left('has no schema for spec.configuration.migrations');
  return E.right(
    new Map(
      Object.keys(props).map((key) => {
        const description = at(props, key, 'description');
        return [key, typeof description === 'string' ? description : undefined] as const;
      }),
    ),
  );
};

/**
 * The options that an installed KubeVirt CRD lists. The API server prunes any other key, so the
 * policy refuses them.
 */
export const decodeSupportedOptions = (crd: unknown): E.Either<string, ReadonlySet<string>> =>
  E.map((options: ReadonlyMap<string, string | undefined>): ReadonlySet<string> => new Set(options.keys()))(
    decodeCrdOptions(crd),
  );
