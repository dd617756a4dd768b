/**
 * @packageDocumentation
 * The rules of Harvester's `kubevirt-migration` setting, as pure functions: decode with every
 * violation, canonical comparison, the admission decision, the reconcile plan as a JSON Patch,
 * adoption, and a JSON Schema. No IO, no clock, no randomness: runs unchanged in a browser.
 */
export { OPTIONS, OPTION_KEYS, OWNED_KEYS, DRAIN_KEY, isOptionKey, isProtectedKey, optionSpec } from './options.js';
export type { OptionKey, OwnedKey, ProtectedKey, OptionSpec, OptionKind } from './options.js';
export type { Violation, CauseType } from './violation.js';
export { CauseTypes, formatViolation } from './violation.js';
export { parseQuantity, quantityValue, compareFractions, fractionKey } from './quantity.js';
export type { Fraction, QuantityParse } from './quantity.js';
export { decodeConfigObject, decodeConfigText, encodeConfig, MigrationConfig } from './config.js';
export type { OptionValue, SupportedOptions } from './config.js';
export {
  SETTING_NAME,
  HARVESTER_DEFAULT,
  HASH_ANNOTATION,
  UPGRADE_PATCHED_ANNOTATION,
  isBlank,
  effectiveText,
  effectiveSource,
  viewSetting,
  decodeSetting,
  defaultConfig,
} from './setting.js';
export type { SettingView } from './setting.js';
export { canonicalize, sameConfig, sameValue } from './canonical.js';
export { decodeSupportedOptions } from './crd.js';
export { isInProgress, inProgress, describeMigrations } from './migrations.js';
export type { MigrationSummary } from './migrations.js';
export { appliedMarker, everApplied, currentApplied } from './marker.js';
export { sha224Hex } from './sha224.js';
export { admit, invalidMessage, warningsFor } from './admit.js';
export type { AdmissionInput, AdmissionResponse, FailureStatus, StatusCause } from './admit.js';
export { plan, planPatch } from './plan.js';
export type { Plan, PlanInput, Notice } from './plan.js';
export { adopt, migrationsBlock, MIGRATIONS_FIELD } from './adopt.js';
export type { Adoption } from './adopt.js';
export { applyPatch, guardedByResourceVersion, pointer } from './patch.js';
export type { Operation } from './patch.js';
export { settingValueSchema } from './schema.js';
export type { JsonRecord } from './json.js';
export { planSettingRecord, configuredCondition, CONDITION_TYPE } from './status.js';
export type { ConfiguredCondition, StoredCondition } from './status.js';
