import { at, isRecord } from './json.js';
import type { ConfiguredCondition } from './notices.js';
import { guardedByResourceVersion, type Operation, pointer } from './patch.js';

const CONDITION_TYPE = 'configured';

/** A condition as the Setting stores it; fields are read, not trusted. */
interface StoredCondition {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
  readonly lastTransitionTime?: unknown;
}

const conditionsOf = (setting: unknown): readonly StoredCondition[] => {
  const list = at(setting, 'status', 'conditions');
  return Array.isArray(list) ? list.filter(isRecord) : [];
};

/** The condition `configured` as the Setting holds it now, if any. */
const configuredCondition = (setting: unknown): StoredCondition | undefined =>
  conditionsOf(setting).find((c) => c.type === CONDITION_TYPE);

/** True when the Setting already holds this condition (status, reason and message). */
export const holdsCondition = (setting: unknown, c: ConfiguredCondition): boolean => {
  const current = configuredCondition(setting);
  return (
    current !== undefined && current.status === c.status && current.reason === c.reason && current.message === c.message
  );
};

/** What a pass records on the Setting: the condition, and annotations (the applied markers) when given. */
export interface SettingRecord {
  readonly condition: ConfiguredCondition;
  readonly annotations?: Readonly<Record<string, string>>;
}

const annotationOps = (setting: unknown, wanted: Readonly<Record<string, string>>): Operation[] => {
  const current = at(setting, 'metadata', 'annotations');
  const missing = Object.entries(wanted).filter(([k, v]) => !isRecord(current) || current[k] !== v);
  if (missing.length === 0) return [];
  if (!isRecord(current))
    return [{ op: 'add', path: pointer('metadata', 'annotations'), value: Object.fromEntries(missing) }];
  return missing.map(([k, v]) => ({ op: 'add', path: pointer('metadata', 'annotations', k), value: v }));
};

/**
 * The JSON Patch that records a pass on the Setting: the condition `configured` (its
 * lastTransitionTime moves only when its status does) and the annotations. Empty when the Setting
 * already says all that, so a converged pass writes nothing. Guarded by the Setting's
 * resourceVersion: a Setting changed meanwhile is planned again, not marked.
 * `now` is an RFC 3339 time supplied by the caller (the policy has no clock).
 */
export const planSettingRecord = (setting: unknown, record: SettingRecord, now: string): readonly Operation[] => {
  const { condition } = record;
  const ops = annotationOps(setting, record.annotations ?? {});
  if (!holdsCondition(setting, condition)) {
    const current = configuredCondition(setting);
    const transition =
      current !== undefined && current.status === condition.status && typeof current.lastTransitionTime === 'string'
        ? current.lastTransitionTime
        : now;
    const next = {
      type: CONDITION_TYPE,
      status: condition.status,
      reason: condition.reason,
      message: condition.message,
      lastUpdateTime: now,
      lastTransitionTime: transition,
    };
    const others = conditionsOf(setting).filter((c) => c.type !== CONDITION_TYPE);
    ops.push(
      isRecord(at(setting, 'status'))
        ? { op: 'add', path: pointer('status', 'conditions'), value: [...others, next] }
        : { op: 'add', path: pointer('status'), value: { conditions: [next] } },
    );
  }
  return guardedByResourceVersion(setting, ops);
};
