/**
 * @packageDocumentation
 * The rules of Harvester's `kubevirt-migration` setting, as pure functions: decode with every
 * violation, canonical comparison, the admission decision, the reconcile plan as a JSON Patch,
 * adoption, and a JSON Schema. No IO, no clock, no randomness: runs unchanged in a browser.
 * The behaviour is specified in docs/semantics.md.
 */
export { OPTIONS } from './options.js';
export type { OptionKey, OptionKind, OptionSpec } from './options.js';
export type { Violation, CauseType, FieldPath } from './violation.js';
export { formatViolation } from './violation.js';
export { decodeConfigText } from './config.js';
export type { MigrationConfig, OptionValue, SupportedOptions, ValueOfKind } from './config.js';
export { SETTING_NAME, HARVESTER_DEFAULT, effectiveText, decodeSetting } from './setting.js';
export type { SettingView } from './setting.js';
export { KUBEVIRT_NAMESPACE, KUBEVIRT_NAME, migrationsBlock } from './kubevirt.js';
export { sameConfig } from './canonical.js';
export { decodeCrdOptions, decodeSupportedOptions } from './crd.js';
export { isInProgress } from './migrations.js';
export { featureGatesOf } from './feature-gates.js';
export type { FeatureGates } from './feature-gates.js';
export { admit, decideAdmission } from './admit.js';
export { configWarnings } from './warnings.js';
export type { ConfigWarning } from './warnings.js';
export type {
  AdmissionDecision,
  AdmissionInput,
  AdmissionRequestInput,
  AdmissionResponse,
  FailureStatus,
  MigrationsUnknown,
  StatusCause,
} from './admit.js';
export { plan } from './plan.js';
export type { Plan, PlanInput, PlanOutcome, Step } from './plan.js';
export { planPreview } from './preview.js';
export type { PlanPreview } from './preview.js';
export type { Notice, ConfiguredCondition } from './notices.js';
export { adopt, planAdoptionWrite } from './adopt.js';
export type { Adoption } from './adopt.js';
export { applyPatch } from './patch.js';
export type { Operation } from './patch.js';
export { settingValueSchema } from './schema.js';
export { decodeMigrationPolicy, POLICY_OPTIONS } from './effective/policy.js';
export type { Labels, MigrationPolicy, PolicyOption, PolicySelectors } from './effective/policy.js';
export { choosePolicy } from './effective/precedence.js';
export type { PolicyChoice, PolicyScore } from './effective/precedence.js';
export { effectiveConfiguration, labelsOf } from './effective/effective.js';
export type { EffectiveConfiguration, EffectiveInput, OptionSource } from './effective/effective.js';
export { decodePolicyCrdFields } from './effective/policy-crd.js';
export { validatePolicy } from './effective/validate-policy.js';
export type { PolicyVerdict } from './effective/validate-policy.js';
export { kubevirtAfterSetting } from './effective/after-setting.js';
