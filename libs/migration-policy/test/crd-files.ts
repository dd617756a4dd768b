import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

/**
 * The upstream CRDs the project ships (control-plane/crds, kept verbatim), read by the tests
 * straight from the files: what the tests take from them is walked here, never through the
 * library's own reading of a CRD (src/crd.ts), which they check.
 */
export const CRDS_DIR = join(__dirname, '..', '..', '..', 'control-plane', 'crds');
export const KUBEVIRT_CRD_170 = 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml';
export const POLICY_CRD_170 = 'migrationpolicies.migrations.kubevirt.io-v1.7.0.yaml';

/** A CRD file of control-plane/crds, parsed as it is. */
export const readShippedCrd = (file: string): unknown => parse(readFileSync(join(CRDS_DIR, file), 'utf8'));

/** The pattern the KubeVirt 1.7.0 CRD gives bandwidthPerMigration: the API server refuses a CR whose quantity does not match it. */
export const bandwidthPattern170 = (): RegExp => {
  const crd = readShippedCrd(KUBEVIRT_CRD_170) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
  };
  const path = ['properties', 'spec', 'properties', 'configuration', 'properties', 'migrations', 'properties'];
  const pattern = [...path, 'bandwidthPerMigration', 'pattern'].reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    crd.spec.versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema,
  );
  if (typeof pattern !== 'string') throw new Error('no pattern for bandwidthPerMigration in the 1.7.0 CRD');
  return new RegExp(pattern);
};
