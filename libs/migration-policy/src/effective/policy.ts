import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

import { BooleanOption, IntegerOption, PolicyQuantity, violationsOf } from '../codecs.js';
import type { MigrationConfig } from '../config.js';
import { at, describeJsonType, isRecord, type JsonRecord } from '../json.js';
import { type FieldPath, notSupported, typeInvalid, type Violation } from '../violation.js';

/**
 * A KubeVirt `migrations.kubevirt.io/v1alpha1` MigrationPolicy, decoded as KubeVirt 1.7.0's CRD and
 * admitter let it through (docs/semantics.md §7).
 */

/** Labels as Kubernetes keeps them: name to value. */
export type Labels = Readonly<Record<string, string>>;

/** The options a MigrationPolicy may set, in the order KubeVirt applies them. */
export const POLICY_OPTIONS = [
  'allowAutoConverge',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'maxDowntimeMs',
  'allowPostCopy',
  'allowWorkloadDisruption',
] as const;

/** The name of an option a MigrationPolicy may set. */
export type PolicyOption = (typeof POLICY_OPTIONS)[number];

/** A MigrationPolicy's selectors: absent selectors ask for nothing. */
export interface PolicySelectors {
  readonly namespaceSelector?: Labels;
  readonly virtualMachineInstanceSelector?: Labels;
}

/** A decoded MigrationPolicy: its name, its selectors (undefined: it never matches) and the options it sets. */
export interface MigrationPolicy {
  readonly name: string;
  readonly selectors: PolicySelectors | undefined;
  readonly options: Pick<MigrationConfig, PolicyOption>;
}

/** Spec keys of the 1.7.0 CRD; `maxDowntimeMs` is listed from KubeVirt 1.9 on. */
const SPEC_KEYS: ReadonlySet<string> = new Set(['selectors', ...POLICY_OPTIONS]);

/** What KubeVirt lets through for each option (wider than the Setting: see validatePolicy). */
const POLICY_CODECS = {
  allowAutoConverge: BooleanOption,
  allowPostCopy: BooleanOption,
  allowWorkloadDisruption: BooleanOption,
  completionTimeoutPerGiB: IntegerOption(0, Number.MAX_SAFE_INTEGER),
  bandwidthPerMigration: PolicyQuantity,
  maxDowntimeMs: IntegerOption(1, 2000000),
};

const decodeLabels = (u: unknown, path: FieldPath, violations: Violation[]): Labels | undefined => {
  if (u === undefined || u === null) return undefined;
  if (!isRecord(u)) {
    violations.push(typeInvalid(path, u, `must be a map of label names to strings, not ${describeJsonType(u)}`));
    return undefined;
  }
  for (const [k, v] of Object.entries(u))
    if (typeof v !== 'string') violations.push(typeInvalid([...path, k], v, 'a label value must be a string'));
  return u as Labels;
};

const decodeSelectors = (u: unknown, violations: Violation[]): PolicySelectors | undefined => {
  if (u === undefined || u === null) return undefined;
  if (!isRecord(u)) {
    violations.push(typeInvalid(['spec', 'selectors'], u, `must be an object, not ${describeJsonType(u)}`));
    return {};
  }
  const selectors: { namespaceSelector?: Labels; virtualMachineInstanceSelector?: Labels } = {};
  for (const key of Object.keys(u)) {
    if (key !== 'namespaceSelector' && key !== 'virtualMachineInstanceSelector') {
      violations.push(notSupported(['spec', 'selectors', key], key, 'unknown selector: the API server would drop it'));
    }
  }
  const ns = decodeLabels(u['namespaceSelector'], ['spec', 'selectors', 'namespaceSelector'], violations);
  const vmi = decodeLabels(
    u['virtualMachineInstanceSelector'],
    ['spec', 'selectors', 'virtualMachineInstanceSelector'],
    violations,
  );
  if (ns !== undefined) selectors.namespaceSelector = ns;
  if (vmi !== undefined) selectors.virtualMachineInstanceSelector = vmi;
  return selectors;
};

/** The options of a policy's spec, each as KubeVirt lets it through. */
const PolicyOptions = t.partial(POLICY_CODECS);

const decodeOptions = (
  spec: JsonRecord,
  policyFields: ReadonlySet<string> | undefined,
  violations: Violation[],
): MigrationPolicy['options'] => {
  const known: Record<string, unknown> = {};
  for (const key of POLICY_OPTIONS) {
    const value = spec[key];
    if (value === undefined || value === null) continue;
    if (policyFields !== undefined && !policyFields.has(key)) {
      violations.push(
        notSupported(
          ['spec', key],
          key,
          'the installed MigrationPolicy CRD does not list this field, so the API server would silently drop it',
        ),
      );
    } else known[key] = value;
  }
  const decoded = PolicyOptions.decode(known);
  if (E.isRight(decoded)) return decoded.right;
  violations.push(...violationsOf(decoded.left, ['spec']));
  return {};
};

/**
 * Decodes a MigrationPolicy object (docs/semantics.md §7) with every violation at once. Fields are
 * named from `spec` (`spec.completionTimeoutPerGiB`). `policyFields` are the spec fields the
 * installed MigrationPolicy CRD lists (undefined: not known, accept every field KubeVirt knows).
 */
export const decodeMigrationPolicy = (
  object: unknown,
  policyFields?: ReadonlySet<string>,
): E.Either<readonly Violation[], MigrationPolicy> => {
  const violations: Violation[] = [];
  const name = at(object, 'metadata', 'name');
  if (typeof name !== 'string' || name === '')
    violations.push(typeInvalid(['metadata', 'name'], name, 'must be a non-empty string'));
  const spec = at(object, 'spec');
  if (!isRecord(spec))
    return E.left([...violations, typeInvalid(['spec'], spec, `must be an object, not ${describeJsonType(spec)}`)]);
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key) && spec[key] !== null)
      violations.push(
        notSupported(['spec', key], key, 'unknown field: the API server would drop it, so KubeVirt never sees it'),
      );
  }
  const selectors = decodeSelectors(spec['selectors'], violations);
  const options = decodeOptions(spec, policyFields, violations);
  return violations.length > 0 || typeof name !== 'string' ? E.left(violations) : E.right({ name, selectors, options });
};
