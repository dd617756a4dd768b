import { at, isRecord } from './json.js';
import { HASH_ANNOTATION } from './setting.js';
import { guardedByResourceVersion, pointer, type Operation } from './patch.js';

/** The Setting's condition `configured`, as the controller reports it. */
export interface ConfiguredCondition {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

export const CONDITION_TYPE = 'configured';

export interface StoredCondition {
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
export const configuredCondition = (setting: unknown): StoredCondition | undefined => conditionsOf(setting).find((c) => c.type === CONDITION_TYPE);

/**
 * The JSON Patch that records a pass on the Setting: the condition `configured` (its
 * lastTransitionTime moves only when its status does) and, when given, the applied marker. Empty
 * when the Setting already says all that, so a converged pass writes nothing. Guarded by the
 * Setting's resourceVersion: a Setting changed meanwhile is planned again, not marked.
 * `now` is an RFC 3339 time supplied by the caller (the policy has no clock).
 */
export const planSettingRecord = (setting: unknown, condition: ConfiguredCondition, marker: string | undefined, now: string): readonly Operation[] => {
  const ops: Operation[] = [];
  const annotations = at(setting, 'metadata', 'annotations');
  if (marker !== undefined && (!isRecord(annotations) || annotations[HASH_ANNOTATION] !== marker)) {
    ops.push(
      isRecord(annotations)
        ? { op: 'add', path: pointer('metadata', 'annotations', HASH_ANNOTATION), value: marker }
        : { op: 'add', path: pointer('metadata', 'annotations'), value: { [HASH_ANNOTATION]: marker } },
    );
  }
  const conditions = conditionsOf(setting);
  const current = configuredCondition(setting);
  const same = current !== undefined && current.status === condition.status && current.reason === condition.reason && current.message === condition.message;
  if (!same) {
    const transition = current !== undefined && current.status === condition.status && typeof current.lastTransitionTime === 'string' ? current.lastTransitionTime : now;
    const next = { type: CONDITION_TYPE, status: condition.status, reason: condition.reason, message: condition.message, lastUpdateTime: now, lastTransitionTime: transition };
    const others = conditions.filter((c) => c.type !== CONDITION_TYPE);
    ops.push(
      isRecord(at(setting, 'status'))
        ? { op: 'add', path: pointer('status', 'conditions'), value: [...others, next] }
        : { op: 'add', path: pointer('status'), value: { conditions: [next] } },
    );
  }
  return guardedByResourceVersion(setting, ops);
};
