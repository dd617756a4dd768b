import * as E from 'fp-ts/lib/Either.js';
import { encodeConfig, type MigrationConfig, type SupportedOptions } from './config.js';
import { decodeSetting, defaultConfig, effectiveSource, viewSetting } from './setting.js';
import { DRAIN_KEY, OWNED_KEYS } from './options.js';
import { canonicalize, sameConfig, sameValue } from './canonical.js';
import { adopt, migrationsBlock } from './adopt.js';
import { currentApplied, everApplied } from './marker.js';
import { at, isRecord, own, type JsonRecord } from './json.js';
import { pointer, type Operation } from './patch.js';
import type { Violation } from './violation.js';

/** Something the controller should record as a Kubernetes Event on the Setting. */
export interface Notice {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The outcome of one reconcile pass, named as the controller reports it. */
export type Plan =
  | { readonly outcome: 'Ignored'; readonly reason: 'SettingAbsent' | 'SettingDeleting' | 'KubeVirtAbsent' }
  | { readonly outcome: 'Invalid'; readonly violations: readonly Violation[] }
  | { readonly outcome: 'Adopt'; readonly value: string; readonly omitted: readonly Violation[] }
  | { readonly outcome: 'Unchanged'; readonly desired: JsonRecord }
  | {
      readonly outcome: 'Patch';
      readonly patch: readonly Operation[];
      /** True when the setting was already applied, so the CR was changed behind its back. */
      readonly drift: boolean;
      readonly desired: JsonRecord;
      readonly notices: readonly Notice[];
    };

export interface PlanInput {
  /** The Setting object, or undefined when it does not exist. */
  readonly setting: unknown;
  /** The KubeVirt CR `harvester-system/kubevirt`, or undefined when it does not exist. */
  readonly kubevirt: unknown;
  readonly supportedOptions?: SupportedOptions;
}

const MIGRATIONS = ['spec', 'configuration', 'migrations'] as const;
const BLOCK_PATH = pointer(...MIGRATIONS);
const OPTION_PATHS: ReadonlyMap<string, string> = new Map([...OWNED_KEYS, 'nodeDrainTaintKey'].map((k) => [k, pointer(...MIGRATIONS, k)]));
const optionPath = (key: string): string => OPTION_PATHS.get(key) ?? pointer(...MIGRATIONS, key);

/** Owned options only: network and nodeDrainTaintKey are never written from the setting. */
const ownedOnly = (config: MigrationConfig): JsonRecord => {
  const encoded = encodeConfig(config);
  return Object.fromEntries(OWNED_KEYS.flatMap((k) => (encoded[k] === undefined ? [] : [[k, encoded[k]]])));
};

const drainKeyNotice = (value: unknown): Notice => ({
  type: 'Warning',
  reason: 'DrainKeyRemoved',
  message: `removed nodeDrainTaintKey ${JSON.stringify(value)} from the KubeVirt CR: Harvester's upgrade taints nodes with ${DRAIN_KEY}, so any other key would stop node drains from migrating VMs`,
});

/** Ops inside an existing migrations block, guarded by a test of the whole block's prior value. */
const planBlock = (block: JsonRecord, desired: JsonRecord): { ops: Operation[]; notices: Notice[] } => {
  const ops: Operation[] = [];
  const notices: Notice[] = [];
  for (const key of OWNED_KEYS) {
    const path = optionPath(key);
    const has = Object.hasOwn(block, key);
    const current = own(block, key);
    const want = desired[key];
    if (want !== undefined) {
      if (!has) ops.push({ op: 'add', path, value: want });
      else if (!sameValue(key, current, want)) ops.push({ op: 'replace', path, value: want });
    } else if (current !== undefined && current !== null) {
      ops.push({ op: 'remove', path });
    }
  }
  const drain = own(block, 'nodeDrainTaintKey');
  if (drain !== undefined && drain !== null && drain !== DRAIN_KEY) {
    ops.push({ op: 'remove', path: optionPath('nodeDrainTaintKey') });
    notices.push(drainKeyNotice(drain));
  }
  return ops.length === 0 ? { ops, notices } : { ops: [{ op: 'test', path: BLOCK_PATH, value: block }, ...ops], notices };
};

/**
 * Adds the whole missing block at its nearest missing ancestor. Guarded by the resourceVersion
 * when the CR has one (an add of an absent key cannot test the key itself), else by the prior
 * value of the nearest existing ancestor.
 */
const planMissingBlock = (kubevirt: JsonRecord, desired: JsonRecord): Operation[] => {
  const spec = own(kubevirt, 'spec');
  const configuration = at(kubevirt, 'spec', 'configuration');
  const [path, value, ancestor]: [string, unknown, readonly string[]] = isRecord(configuration)
    ? [BLOCK_PATH, desired, ['spec', 'configuration']]
    : isRecord(spec)
      ? [pointer('spec', 'configuration'), { migrations: desired }, ['spec']]
      : [pointer('spec'), { configuration: { migrations: desired } }, []];
  const rv = at(kubevirt, 'metadata', 'resourceVersion');
  const guard: Operation =
    typeof rv === 'string' && rv !== ''
      ? { op: 'test', path: pointer('metadata', 'resourceVersion'), value: rv }
      : { op: 'test', path: pointer(...ancestor), value: at(kubevirt, ...ancestor) };
  return [guard, { op: 'add', path, value }];
};

/** The JSON Patch that brings the CR's owned options to `desired`, and the notices it warrants. */
export const planPatch = (kubevirt: JsonRecord, desired: JsonRecord): { ops: Operation[]; notices: Notice[] } => {
  const block = migrationsBlock(kubevirt);
  if (block !== undefined) return planBlock(block, desired);
  return Object.keys(desired).length === 0 ? { ops: [], notices: [] } : { ops: planMissingBlock(kubevirt, desired), notices: [] };
};

/**
 * First sight (Harvester bug #11517): `value` blank, never applied, and the CR holds owned options
 * that differ from the default. Then the CR's options are adopted instead of overwritten. Nothing
 * to adopt (no option on the CR passes validation) means nothing to lose.
 */
const firstSightAdoption = (input: PlanInput): Plan | undefined => {
  const { view } = viewSetting(input.setting);
  if (effectiveSource(view) === 'value' || everApplied(view)) return undefined;
  const current = canonicalize(migrationsBlock(input.kubevirt));
  if (current.size === 0) return undefined;
  const dflt = defaultConfig(input.setting, input.supportedOptions);
  if (dflt !== undefined && sameConfig(migrationsBlock(input.kubevirt), dflt)) return undefined;
  const adoption = adopt(input.kubevirt, input.supportedOptions);
  if (Object.keys(adoption.config).length === 0) return undefined;
  return { outcome: 'Adopt', value: adoption.value, omitted: adoption.omitted };
};

/** One reconcile pass, pure (docs/semantics.md §5). An empty patch means: send no request. */
export const plan = (input: PlanInput): Plan => {
  if (!isRecord(input.setting)) return { outcome: 'Ignored', reason: 'SettingAbsent' };
  const { view } = viewSetting(input.setting);
  if (view.deleting) return { outcome: 'Ignored', reason: 'SettingDeleting' };
  if (!isRecord(input.kubevirt)) return { outcome: 'Ignored', reason: 'KubeVirtAbsent' };

  const decoded = decodeSetting(input.setting, input.supportedOptions);
  if (E.isLeft(decoded)) return { outcome: 'Invalid', violations: decoded.left };

  const adoption = firstSightAdoption(input);
  if (adoption !== undefined) return adoption;

  const desired = ownedOnly(decoded.right);
  const { ops, notices } = planPatch(input.kubevirt, desired);
  if (ops.length === 0) return { outcome: 'Unchanged', desired };
  const drift = currentApplied(view) && ops.some((op) => op.op !== 'test' && !op.path.endsWith('/nodeDrainTaintKey'));
  const driftNotice: Notice[] = drift
    ? [{ type: 'Normal', reason: 'DriftCorrected', message: 'migration options changed directly on the KubeVirt CR were set back to the kubevirt-migration setting' }]
    : [];
  return { outcome: 'Patch', patch: ops, drift, desired, notices: [...driftNotice, ...notices] };
};
