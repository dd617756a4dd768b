import {
  type Notice,
  type Operation,
  plan,
  type PlanOutcome,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';

import { isKind } from '../client/errors.js';

/** What one pass needs: reads (from caches, or fresh after a conflict), writes, a clock and a fence. */
export interface ReconcileDeps {
  readonly setting: () => Promise<unknown>;
  readonly kubevirt: () => Promise<unknown>;
  readonly supportedOptions: () => SupportedOptions;
  readonly patchKubeVirt: (ops: readonly Operation[]) => Promise<unknown>;
  readonly patchSetting: (ops: readonly Operation[]) => Promise<unknown>;
  readonly event: (setting: unknown, notice: Notice) => Promise<void>;
  readonly now: () => Date;
  /** Checked before each write: false once this replica may no longer write (fenced leadership). */
  readonly mayWrite: () => boolean;
  /** An event that could not be recorded: reported, never a failure of the pass. */
  readonly onEventError?: (notice: Notice, error: unknown) => void;
}

/**
 * What a pass came to: the plan's outcome once every write was sent; `Conflict` when a write's
 * guard failed or the object changed meanwhile (plan again from fresh reads); `NotLeader` when the
 * fence closed before a write.
 */
export type ReconcileOutcome = PlanOutcome | 'Conflict' | 'NotLeader';

/** RFC 3339 to the second, as Kubernetes writes condition times. */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One level-based pass (docs/semantics.md §5), as a small interpreter of what the policy decided:
 * read the Setting and the CR, plan, then send the plan's steps in order. A failed write ends the
 * pass: a conflict is an outcome, anything else is thrown as AdapterError for the caller's backoff.
 */
export const reconcile = async (deps: ReconcileDeps): Promise<ReconcileOutcome> => {
  const [setting, kubevirt] = await Promise.all([deps.setting(), deps.kubevirt()]);
  const p = plan({ setting, kubevirt, supportedOptions: deps.supportedOptions(), now: rfc3339(deps.now()) });
  for (const step of p.steps) {
    // an Event is a write too: a replica that may no longer write sends none (seen: a leader paused
    // mid-pass sent the pass's Event when it resumed, after another replica had taken over)
    if (!deps.mayWrite()) return 'NotLeader';
    if (step.kind === 'Event') {
      try {
        await deps.event(setting, step.notice);
      } catch (e) {
        deps.onEventError?.(step.notice, e);
      }
      continue;
    }
    try {
      await (step.kind === 'PatchKubeVirt' ? deps.patchKubeVirt(step.patch) : deps.patchSetting(step.patch));
    } catch (e) {
      if (isKind(e, 'Conflict', 'TestFailed')) return 'Conflict';
      throw e;
    }
  }
  return p.outcome;
};
