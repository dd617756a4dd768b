import { canonicalize } from './canonical.js';
import type { JsonRecord } from './json.js';
import { HASH_ANNOTATION, type SettingView, UPGRADE_PATCHED_ANNOTATION } from './setting.js';
import { sha224Hex } from './sha224.js';

/**
 * The applied marker, as Harvester computes it: SHA-224 of `value` followed by the value of the
 * `harvesterhci.io/upgrade-patched` annotation (empty when absent), lowercase hex.
 */
export const appliedMarker = (s: Pick<SettingView, 'value' | 'annotations'>): string =>
  sha224Hex((s.value ?? '') + (s.annotations[UPGRADE_PATCHED_ANNOTATION] ?? ''));

/** "Never applied" = the annotation is absent. */
export const everApplied = (s: Pick<SettingView, 'annotations'>): boolean =>
  s.annotations[HASH_ANNOTATION] !== undefined;

/**
 * The project's own annotation: what configuration the last successful pass brought the CR to.
 * Harvester's marker covers only `value`, so it cannot tell a change of `default` (while `value` is
 * blank) from a change made on the CR; this one can (docs/semantics.md §5, drift).
 */
export const APPLIED_CONFIG_ANNOTATION = 'kubevirt-migration.harvesterhci.io/applied-config';

/** SHA-224 of the canonical owned options of a desired configuration: equal configurations, equal markers. */
export const configMarker = (desired: JsonRecord): string => sha224Hex(JSON.stringify([...canonicalize(desired)]));

/** True when the last pass applied exactly `desired`: a difference on the CR is then drift. */
export const desiredWasApplied = (s: Pick<SettingView, 'annotations'>, desired: JsonRecord): boolean =>
  s.annotations[APPLIED_CONFIG_ANNOTATION] === configMarker(desired);
