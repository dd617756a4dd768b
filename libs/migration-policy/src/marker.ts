import { sha224Hex } from './sha224.js';
import { HASH_ANNOTATION, UPGRADE_PATCHED_ANNOTATION, type SettingView } from './setting.js';

/**
 * The applied marker, as Harvester computes it: SHA-224 of `value` followed by the value of the
 * `harvesterhci.io/upgrade-patched` annotation (empty when absent), lowercase hex.
 */
export const appliedMarker = (s: Pick<SettingView, 'value' | 'annotations'>): string =>
  sha224Hex((s.value ?? '') + (s.annotations[UPGRADE_PATCHED_ANNOTATION] ?? ''));

/** "Never applied" = the annotation is absent. */
export const everApplied = (s: Pick<SettingView, 'annotations'>): boolean => s.annotations[HASH_ANNOTATION] !== undefined;

/** True when the marker says the current value was applied (so a difference on the CR is drift). */
export const currentApplied = (s: Pick<SettingView, 'value' | 'annotations'>): boolean =>
  s.annotations[HASH_ANNOTATION] === appliedMarker(s);
