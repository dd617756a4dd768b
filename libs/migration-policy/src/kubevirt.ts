import { at, isRecord, type JsonRecord } from './json.js';

/** Namespace of the KubeVirt CR that holds the migration options (docs/semantics.md §1). */
export const KUBEVIRT_NAMESPACE = 'harvester-system';
/** Name of the KubeVirt CR that holds the migration options. */
export const KUBEVIRT_NAME = 'kubevirt';
/** `harvester-system/kubevirt`, as messages name it. */
export const KUBEVIRT_REF = `${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME}`;

/** Where the options live in the CR, as keys (also the path of the violations of an adoption). */
export const MIGRATIONS_KEYS = ['spec', 'configuration', 'migrations'] as const;

/** The CR's `spec.configuration.migrations`, or undefined when it is absent or not an object. */
export const migrationsBlock = (kubevirt: unknown): JsonRecord | undefined => {
  const block = at(kubevirt, ...MIGRATIONS_KEYS);
  return isRecord(block) ? block : undefined;
};
