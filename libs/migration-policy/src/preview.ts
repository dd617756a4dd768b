import * as E from 'fp-ts/lib/Either.js';

import { migrationsBlock } from './kubevirt.js';
import { applyPatch, type Operation } from './patch.js';
import { type Plan, plan, type PlanInput } from './plan.js';

/** A reconcile pass as a person reviews it (`kubevirt-migration diff`, the settings page). */
export interface PlanPreview {
  readonly plan: Plan;
  /** The JSON Patch of the CR: the plan's, or none unless the outcome is Applied or DriftCorrected. */
  readonly patch: readonly Operation[];
  /** The CR's `spec.configuration.migrations` as it is, `{}` when absent. */
  readonly before: Readonly<Record<string, unknown>>;
  /** The same block once the patch is applied. */
  readonly after: Readonly<Record<string, unknown>>;
}

/**
 * The CR as the pass that made plan `p` leaves it: patched when the plan patches (Applied,
 * DriftCorrected), as it is otherwise. Left, with the reason, if the patch does not apply to it.
 */
export const kubevirtAfterPlan = (kubevirt: unknown, p: Plan): E.Either<string, unknown> =>
  p.outcome === 'Applied' || p.outcome === 'DriftCorrected' ? applyPatch(kubevirt, p.patch) : E.right(kubevirt);

/**
 * The plan of one pass with the CR's migration options before and after its patch. Left, with the
 * reason, only if the patch does not apply to the CR it was planned from.
 */
export const planPreview = (input: PlanInput): E.Either<string, PlanPreview> => {
  const p = plan(input);
  const patch = p.outcome === 'Applied' || p.outcome === 'DriftCorrected' ? p.patch : [];
  const before = migrationsBlock(input.kubevirt) ?? {};
  return E.map((patched: unknown) => ({ plan: p, patch, before, after: migrationsBlock(patched) ?? {} }))(
    kubevirtAfterPlan(input.kubevirt, p),
  );
};
