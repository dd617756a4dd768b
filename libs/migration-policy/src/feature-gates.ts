import { sameValue } from './canonical.js';
import { at, isRecord, own } from './json.js';
import { GATED_OPTIONS } from './options.js';
import { type Violation, violation } from './violation.js';

/**
 * KubeVirt feature gates (docs/semantics.md §2a): KubeVirt's admission of its CR refuses a change
 * of a gated option unless one of its gates is enabled, so the policy refuses it first (admission)
 * or does not send it (reconcile).
 */

/** The feature gates a KubeVirt CR enables; undefined means "not known: do not check". */
export type FeatureGates = ReadonlySet<string> | undefined;

/**
 * The gates listed in the CR's `spec.configuration.developerConfiguration.featureGates`. The gated
 * options' gates are Alpha in KubeVirt, so only this list enables them (`DisabledFeatureGates`
 * cannot take away what it does not give).
 */
export const featureGatesOf = (kubevirt: unknown): ReadonlySet<string> => {
  const list = at(kubevirt, 'spec', 'configuration', 'developerConfiguration', 'featureGates');
  return new Set(Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : []);
};

const orList = (gates: readonly string[]): string =>
  gates.length <= 1 ? gates.join('') : `${gates.slice(0, -1).join(', ')} or ${gates[gates.length - 1] ?? ''}`;

/**
 * One violation for each gated option that `next` sets to a value other than `previous` holds
 * (compared by value, as KubeVirt's `equality.Semantic.DeepEqual` does), while `enabled` lists none
 * of its gates. Removing an option needs no gate. `root` prefixes each field (`value`).
 */
export const gateViolations = (
  previous: unknown,
  next: unknown,
  enabled: FeatureGates,
  root: string,
): readonly Violation[] => {
  if (enabled === undefined || !isRecord(next)) return [];
  const before = isRecord(previous) ? previous : {};
  return GATED_OPTIONS.flatMap(({ key, gates }) => {
    const value = own(next, key);
    if (
      value === undefined ||
      value === null ||
      sameValue(key, own(before, key), value) ||
      gates.some((g) => enabled.has(g))
    )
      return [];
    return [
      violation(
        'FieldValueForbidden',
        [root, key],
        value,
        `${key} needs the feature gate ${orList(gates)}, which the KubeVirt CR does not enable (KubeVirt refuses a change of ${key} without it): add the gate to the CR's spec.configuration.developerConfiguration.featureGates first, or leave ${key} as it is`,
      ),
    ];
  });
};
