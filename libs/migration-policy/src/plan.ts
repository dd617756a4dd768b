import * as E from 'fp-ts/lib/Either.js';

import { adopt, planAdoptionWrite } from './adopt.js';
import { canonicalize, sameConfig, sameValue } from './canonical.js';
import { encodeConfig, type MigrationConfig, type SupportedOptions } from './config.js';
import { featureGatesOf, gateViolations } from './feature-gates.js';
import { at, hasOwn, isRecord, type JsonRecord, own } from './json.js';
import { MIGRATIONS_KEYS, migrationsBlock } from './kubevirt.js';
import { APPLIED_CONFIG_ANNOTATION, appliedMarker, configMarker, desiredWasApplied, everApplied } from './marker.js';
import { conditions, type Notice, notices } from './notices.js';
import { optionSpec, OWNED_KEYS, type OwnedKey, POLICED_ON_CR } from './options.js';
import { type Operation, pointer, resourceVersionGuard } from './patch.js';
import { quantityForCR } from './quantity.js';
import {
  decodeSetting,
  defaultConfig,
  effectiveSource,
  HASH_ANNOTATION,
  type SettingView,
  viewSetting,
} from './setting.js';
import { holdsCondition, planSettingRecord } from './status.js';
import type { Violation } from './violation.js';

/**
 * One write or event of a pass, in the order the controller sends them. A failed write ends the
 * pass (a conflict plans it again); a failed event is only reported.
 */
export type Step =
  | { readonly kind: 'PatchKubeVirt'; readonly patch: readonly Operation[] }
  | { readonly kind: 'PatchSetting'; readonly patch: readonly Operation[] }
  | { readonly kind: 'Event'; readonly notice: Notice };

/** The outcome of one reconcile pass, named as the controller reports it, with what it sends. */
export type Plan =
  | {
      readonly outcome: 'Ignored';
      readonly reason: 'SettingAbsent' | 'SettingDeleting' | 'KubeVirtAbsent';
      readonly steps: readonly Step[];
    }
  | { readonly outcome: 'Invalid'; readonly violations: readonly Violation[]; readonly steps: readonly Step[] }
  /** The CR would need a feature gate it does not enable (docs/semantics.md §2a): nothing is sent to it. */
  | {
      readonly outcome: 'FeatureGateMissing';
      readonly violations: readonly Violation[];
      readonly steps: readonly Step[];
    }
  | {
      readonly outcome: 'Adopted';
      readonly value: string;
      readonly omitted: readonly Violation[];
      readonly steps: readonly Step[];
    }
  | { readonly outcome: 'Unchanged'; readonly steps: readonly Step[] }
  | {
      readonly outcome: 'Applied' | 'DriftCorrected';
      /** The JSON Patch of the CR (also the first step). */
      readonly patch: readonly Operation[];
      readonly steps: readonly Step[];
    };

/** The name of a plan's outcome, as the controller reports it. */
export type PlanOutcome = Plan['outcome'];

/** What one reconcile pass plans from: the Setting and the CR as read, the options the CRD lists, the time. */
export interface PlanInput {
  /** The Setting object, or undefined when it does not exist. */
  readonly setting: unknown;
  /** The KubeVirt CR `harvester-system/kubevirt`, or undefined when it does not exist. */
  readonly kubevirt: unknown;
  readonly supportedOptions?: SupportedOptions;
  /** RFC 3339 time of the pass, for the condition's timestamps (the policy has no clock). */
  readonly now: string;
}

const BLOCK_PATH = pointer(...MIGRATIONS_KEYS);
const optionPath = (key: string): string => pointer(...MIGRATIONS_KEYS, key);

/**
 * The value of an owned option as the CR is to hold it (a quantity in a form KubeVirt can read).
 * Owned options only: protected keys are never written from the setting.
 */
const forCR = (key: OwnedKey, value: unknown): unknown =>
  optionSpec(key)?.kind.type === 'quantity' && (typeof value === 'string' || typeof value === 'number')
    ? quantityForCR(value)
    : value;

/** Owned options only, as the CR is to hold them: protected keys are never written from the setting. */
const ownedOnly = (config: MigrationConfig): JsonRecord => {
  const encoded = encodeConfig(config);
  return Object.fromEntries(OWNED_KEYS.flatMap((k) => (encoded[k] === undefined ? [] : [[k, forCR(k, encoded[k])]])));
};

interface BlockPlan {
  readonly ops: readonly Operation[];
  /** Owned options changed (not counting the policed protected keys). */
  readonly changes: number;
  readonly notices: readonly Notice[];
}

/** Ops inside an existing migrations block, guarded by a test of the whole block's prior value. */
const planBlock = (block: JsonRecord, desired: JsonRecord): BlockPlan => {
  const ops: Operation[] = [];
  for (const key of OWNED_KEYS) {
    const path = optionPath(key);
    const current = own(block, key);
    const want = desired[key];
    if (want !== undefined) {
      if (!hasOwn(block, key)) ops.push({ op: 'add', path, value: want });
      else if (!sameValue(key, current, want) || forCR(key, current) !== current)
        ops.push({ op: 'replace', path, value: want });
    } else if (current !== undefined && current !== null) {
      ops.push({ op: 'remove', path });
    }
  }
  const changes = ops.length;
  const found: Notice[] = [];
  for (const { key, value } of POLICED_ON_CR) {
    const current = own(block, key);
    if (current !== undefined && current !== null && current !== value) {
      ops.push({ op: 'remove', path: optionPath(key) });
      found.push(notices.drainKeyRemoved(key, current, value));
    }
  }
  return {
    ops: ops.length === 0 ? [] : [{ op: 'test', path: BLOCK_PATH, value: block }, ...ops],
    changes,
    notices: found,
  };
};

/**
 * Adds the whole missing block at its nearest missing ancestor. Guarded by the resourceVersion
 * when the CR has one (an add of an absent key cannot test the key itself), else by the prior
 * value of the nearest existing ancestor.
 */
const planMissingBlock = (kubevirt: JsonRecord, desired: JsonRecord): BlockPlan => {
  if (Object.keys(desired).length === 0) return { ops: [], changes: 0, notices: [] };
  const [path, value, ancestor]: [string, unknown, readonly string[]] = isRecord(at(kubevirt, 'spec', 'configuration'))
    ? [BLOCK_PATH, desired, ['spec', 'configuration']]
    : isRecord(own(kubevirt, 'spec'))
      ? [pointer('spec', 'configuration'), { migrations: desired }, ['spec']]
      : [pointer('spec'), { configuration: { migrations: desired } }, []];
  const guard = resourceVersionGuard(kubevirt) ?? {
    op: 'test',
    path: pointer(...ancestor),
    value: at(kubevirt, ...ancestor),
  };
  return { ops: [guard, { op: 'add', path, value }], changes: Object.keys(desired).length, notices: [] };
};

/** The JSON Patch that brings the CR's owned options to `desired`, and the notices it warrants. */
const planCR = (kubevirt: JsonRecord, desired: JsonRecord): BlockPlan => {
  const block = migrationsBlock(kubevirt);
  return block !== undefined ? planBlock(block, desired) : planMissingBlock(kubevirt, desired);
};

/**
 * First sight (Harvester bug #11517): `value` blank, never applied, and the CR holds owned options
 * that differ from the default. Then the CR's options are adopted instead of overwritten. Nothing
 * to adopt (no option on the CR passes validation) means nothing to lose.
 */
const firstSightAdoption = (input: PlanInput, view: SettingView): Plan | undefined => {
  if (effectiveSource(view) === 'value' || everApplied(view)) return undefined;
  const block = migrationsBlock(input.kubevirt);
  if (canonicalize(block).size === 0) return undefined;
  const dflt = defaultConfig(input.setting, input.supportedOptions);
  if (dflt !== undefined && sameConfig(block, dflt)) return undefined;
  const adoption = adopt(input.kubevirt, input.supportedOptions);
  if (Object.keys(adoption.config).length === 0) return undefined;
  const write = planAdoptionWrite(input.setting, adoption, input.supportedOptions);
  if (E.isLeft(write)) return undefined;
  const steps: Step[] = [
    { kind: 'PatchSetting', patch: write.right },
    { kind: 'Event', notice: notices.adopted(view.value === undefined ? 'absent' : 'blank', adoption.value) },
    ...(adoption.omitted.length > 0
      ? [{ kind: 'Event' as const, notice: notices.adoptionOmitted(adoption.omitted) }]
      : []),
  ];
  return { outcome: 'Adopted', value: adoption.value, omitted: adoption.omitted, steps };
};

const recordStep = (patch: readonly Operation[]): Step[] =>
  patch.length === 0 ? [] : [{ kind: 'PatchSetting', patch }];

/** A pass that writes nothing to the CR: the condition says why, and an event marks the transition into this state. */
const refused = (
  setting: unknown,
  outcome: 'Invalid' | 'FeatureGateMissing',
  violations: readonly Violation[],
  now: string,
): Plan => {
  const [condition, notice] =
    outcome === 'Invalid'
      ? [conditions.invalid(violations), notices.invalid(violations)]
      : [conditions.featureGateMissing(violations), notices.featureGateMissing(violations)];
  // a pass that finds the state again says nothing
  const event: Step[] = holdsCondition(setting, condition) ? [] : [{ kind: 'Event', notice }];
  return { outcome, violations, steps: [...recordStep(planSettingRecord(setting, { condition }, now)), ...event] };
};

/**
 * One reconcile pass, pure (docs/semantics.md §5): what to write to the CR and the Setting, and
 * which events to record, in order. No step means: send no request.
 */
export const plan = (input: PlanInput): Plan => {
  const { setting, kubevirt, now } = input;
  if (!isRecord(setting)) return { outcome: 'Ignored', reason: 'SettingAbsent', steps: [] };
  const { view } = viewSetting(setting);
  if (view.deleting) return { outcome: 'Ignored', reason: 'SettingDeleting', steps: [] };
  if (!isRecord(kubevirt)) {
    return {
      outcome: 'Ignored',
      reason: 'KubeVirtAbsent',
      steps: recordStep(planSettingRecord(setting, { condition: conditions.kubevirtNotFound }, now)),
    };
  }

  const decoded = decodeSetting(setting, input.supportedOptions);
  if (E.isLeft(decoded)) return refused(setting, 'Invalid', decoded.left, now);

  const adoption = firstSightAdoption(input, view);
  if (adoption !== undefined) return adoption;

  const desired = ownedOnly(decoded.right);
  // KubeVirt's admission compares the CR's old and new values: the patch would be refused
  const ungated = gateViolations(
    migrationsBlock(kubevirt),
    desired,
    featureGatesOf(kubevirt),
    effectiveSource(view) === 'default' ? 'default' : 'value',
  );
  if (ungated.length > 0) return refused(setting, 'FeatureGateMissing', ungated, now);
  const record = planSettingRecord(
    setting,
    {
      condition: conditions.applied,
      annotations: { [HASH_ANNOTATION]: appliedMarker(view), [APPLIED_CONFIG_ANNOTATION]: configMarker(desired) },
    },
    now,
  );
  const cr = planCR(kubevirt, desired);
  if (cr.ops.length === 0) return { outcome: 'Unchanged', steps: recordStep(record) };
  // drift: the CR no longer holds what the last pass applied, and the setting still asks for it
  const drift = cr.changes > 0 && desiredWasApplied(view, desired);
  const main: Notice[] =
    cr.changes === 0 ? [] : [drift ? notices.driftCorrected(cr.changes) : notices.applied(cr.changes)];
  const steps: Step[] = [
    { kind: 'PatchKubeVirt', patch: cr.ops },
    ...[...main, ...cr.notices].map((notice) => ({ kind: 'Event' as const, notice })),
    ...recordStep(record),
  ];
  return { outcome: drift ? 'DriftCorrected' : 'Applied', patch: cr.ops, steps };
};
