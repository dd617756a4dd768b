import * as E from 'fp-ts/lib/Either.js';

import { at, isRecord } from '../json.js';

/**
 * The spec fields an installed MigrationPolicy CRD lists (its storage version, v1alpha1). The API
 * server prunes any other field, so the policy refuses them (docs/semantics.md §7).
 */
export const decodePolicyCrdFields = (crd: unknown): E.Either<string, ReadonlySet<string>> => {
  if (
    at(crd, 'kind') !== 'CustomResourceDefinition' ||
    at(crd, 'metadata', 'name') !== 'migrationpolicies.migrations.kubevirt.io'
  ) {
    return E.left('is not the CustomResourceDefinition migrationpolicies.migrations.kubevirt.io');
  }
  const versions = at(crd, 'spec', 'versions');
  const list: readonly unknown[] = Array.isArray(versions) ? versions : [];
  const version = list.find((v) => at(v, 'storage') === true) ?? list.find((v) => at(v, 'name') === 'v1alpha1');
  if (version === undefined) return E.left('has no storage version');
  const props = at(version, 'schema', 'openAPIV3Schema', 'properties', 'spec', 'properties');
  return isRecord(props) ? E.right(new Set(Object.keys(props))) : E.left('has no schema for spec');
};
