import { KUBEVIRT_REF } from './kubevirt.js';
import { invalidMessage } from './messages.js';
import { formatViolation, type Violation } from './violation.js';

/**
 * What the controller says about a pass: the Events it records on the Setting and the condition
 * `configured`, every text in one place (docs/semantics.md §5).
 */

/** A Kubernetes Event to record on the Setting. */
export interface Notice {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The Setting's condition `configured`. */
export interface ConfiguredCondition {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const conditions = {
  applied: { status: 'True', reason: 'Applied', message: `the KubeVirt CR ${KUBEVIRT_REF} matches the setting` },
  kubevirtNotFound: {
    status: 'False',
    reason: 'KubeVirtNotFound',
    message: `the KubeVirt CR ${KUBEVIRT_REF} does not exist`,
  },
  invalid: (violations: readonly Violation[]): ConfiguredCondition => ({
    status: 'False',
    reason: 'InvalidSetting',
    message: invalidMessage(violations),
  }),
  featureGateMissing: (violations: readonly Violation[]): ConfiguredCondition => ({
    status: 'False',
    reason: 'FeatureGateMissing',
    message: `not applied, since KubeVirt would refuse it: ${violations.map(formatViolation).join('; ')}`,
  }),
} as const satisfies Record<string, ConfiguredCondition | ((v: readonly Violation[]) => ConfiguredCondition)>;

export const notices = {
  applied: (changes: number): Notice => ({
    type: 'Normal',
    reason: 'Applied',
    message: `applied the setting to the KubeVirt CR ${KUBEVIRT_REF} (${plural(changes, 'change')})`,
  }),
  driftCorrected: (changes: number): Notice => ({
    type: 'Normal',
    reason: 'DriftCorrected',
    message: `set back ${plural(changes, 'migration option')} changed directly on the KubeVirt CR ${KUBEVIRT_REF} to the kubevirt-migration setting`,
  }),
  drainKeyRemoved: (key: string, value: unknown, kept: string): Notice => ({
    type: 'Warning',
    reason: 'DrainKeyRemoved',
    message: `removed ${key} ${JSON.stringify(value)} from the KubeVirt CR: Harvester's upgrade taints nodes with ${kept}, so any other key would stop node drains from migrating VMs`,
  }),
  invalid: (violations: readonly Violation[]): Notice => ({
    type: 'Warning',
    reason: 'InvalidSetting',
    message: `not applied: ${invalidMessage(violations)}`,
  }),
  featureGateMissing: (violations: readonly Violation[]): Notice => ({
    type: 'Warning',
    reason: 'FeatureGateMissing',
    message: `not applied, since KubeVirt would refuse it: ${violations.map(formatViolation).join('; ')}`,
  }),
  adopted: (valueWas: 'absent' | 'blank', value: string): Notice => ({
    type: 'Normal',
    reason: 'Adopted',
    message: `the setting had never been applied and its value was ${valueWas}: kept the KubeVirt CR's migration options as the value ${value}`,
  }),
  adoptionOmitted: (omitted: readonly Violation[]): Notice => ({
    type: 'Warning',
    reason: 'AdoptionOmitted',
    message: `left out of the adopted value: ${omitted.map(formatViolation).join('; ')}`,
  }),
} as const;
