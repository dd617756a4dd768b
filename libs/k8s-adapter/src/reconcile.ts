import {
  appliedMarker,
  configuredCondition,
  guardedByResourceVersion,
  invalidMessage,
  plan,
  planSettingRecord,
  viewSetting,
  formatViolation,
  type ConfiguredCondition,
  type Operation,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import { isAdapterError } from './errors.js';
import type { EventNotice } from './events.js';
import { KUBEVIRT_NAME, KUBEVIRT_NAMESPACE } from './kinds.js';

/** What one pass needs: reads (from caches, or fresh after a conflict), writes, and a clock. */
export interface ReconcileDeps {
  readonly setting: () => Promise<unknown>;
  readonly kubevirt: () => Promise<unknown>;
  readonly supportedOptions: () => SupportedOptions;
  readonly patchKubeVirt: (ops: readonly Operation[]) => Promise<unknown>;
  readonly patchSetting: (ops: readonly Operation[]) => Promise<unknown>;
  readonly event: (setting: unknown, notice: EventNotice) => Promise<void>;
  readonly now: () => Date;
}

/**
 * Named outcomes of a pass. `Conflict`: a guard failed or the object changed meanwhile; plan again
 * from fresh state. `Invalid`: a bad value, reported; wait for the next change.
 */
export type ReconcileOutcome = 'Ignored' | 'Invalid' | 'Adopted' | 'Unchanged' | 'Applied' | 'DriftCorrected' | 'Conflict';

const isConflict = (e: unknown): boolean => isAdapterError(e) && (e.kind === 'Conflict' || (e.kind === 'Invalid' && e.status === 422));

const APPLIED: ConfiguredCondition = { status: 'True', reason: 'Applied', message: `the KubeVirt CR ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME} matches the setting` };

/** Writes the marker and condition when they differ (a converged pass writes nothing). */
const record = async (deps: ReconcileDeps, setting: unknown, condition: ConfiguredCondition, marker: string | undefined): Promise<void> => {
  const ops = planSettingRecord(setting, condition, marker, deps.now().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (ops.length > 0) await deps.patchSetting(ops);
};

const count = (ops: readonly Operation[]): number => ops.filter((op) => op.op !== 'test').length;

/**
 * One level-based pass (docs/semantics.md §5): read the Setting and the CR, plan, send at most one
 * JSON Patch to the CR, then record the applied marker, the condition `configured` and events on
 * the Setting. Throws AdapterError for a transient failure (the caller retries with backoff).
 */
export const reconcile = async (deps: ReconcileDeps): Promise<ReconcileOutcome> => {
  const [setting, kubevirt] = await Promise.all([deps.setting(), deps.kubevirt()]);
  const p = plan({ setting, kubevirt, supportedOptions: deps.supportedOptions() });
  try {
    switch (p.outcome) {
      case 'Ignored': {
        if (p.reason === 'KubeVirtAbsent') {
          await record(deps, setting, { status: 'False', reason: 'KubeVirtNotFound', message: `the KubeVirt CR ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME} does not exist` }, undefined);
        }
        return 'Ignored';
      }
      case 'Invalid': {
        const message = invalidMessage(p.violations);
        const before = configuredCondition(setting);
        await record(deps, setting, { status: 'False', reason: 'InvalidSetting', message }, undefined);
        if (before?.status !== 'False' || before.reason !== 'InvalidSetting') await deps.event(setting, { type: 'Warning', reason: 'InvalidSetting', message: `not applied: ${message}` });
        return 'Invalid';
      }
      case 'Adopt': {
        const { view } = viewSetting(setting);
        await deps.patchSetting(guardedByResourceVersion(setting, [{ op: 'add', path: '/value', value: p.value }]));
        await deps.event(setting, {
          type: 'Normal',
          reason: 'Adopted',
          message: `the setting had never been applied and its value was ${view.value === undefined ? 'absent' : 'blank'}: kept the KubeVirt CR's migration options as the value ${p.value}`,
        });
        if (p.omitted.length > 0) {
          await deps.event(setting, { type: 'Warning', reason: 'AdoptionOmitted', message: `left out of the adopted value: ${p.omitted.map(formatViolation).join('; ')}` });
        }
        return 'Adopted';
      }
      case 'Unchanged': {
        await record(deps, setting, APPLIED, appliedMarker(viewSetting(setting).view));
        return 'Unchanged';
      }
      case 'Patch': {
        await deps.patchKubeVirt(p.patch);
        const outcome = p.drift ? 'DriftCorrected' : 'Applied';
        const { view } = viewSetting(setting);
        for (const notice of p.notices) await deps.event(setting, notice);
        if (!p.drift) {
          await deps.event(setting, { type: 'Normal', reason: 'Applied', message: `applied the setting to the KubeVirt CR ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME} (${count(p.patch)} change${count(p.patch) === 1 ? '' : 's'})` });
        }
        await record(deps, setting, APPLIED, appliedMarker(view));
        return outcome;
      }
    }
  } catch (e) {
    if (isConflict(e)) return 'Conflict';
    throw e;
  }
};
