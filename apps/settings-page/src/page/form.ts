/**
 * The settings form as data, with no DOM: the fields (from the policy's options table), the value
 * text a form state saves, the violations and warnings of that text placed at their fields (by
 * their paths), and the patch the controller would send to a pasted KubeVirt CR (the policy's plan
 * preview). page.ts only draws what these return.
 */
import {
  configWarnings,
  decodeConfigText,
  type FieldPath,
  type Operation,
  type OptionKind,
  OPTIONS,
  type OptionSpec,
  planPreview,
  SETTING_NAME,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';

/** The root the page's messages are placed under: the Setting's `value`. */
const ROOT = 'value';

type FieldKind = OptionKind['type'];

export interface Field {
  readonly key: string;
  readonly kind: FieldKind;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly unit?: string;
  /** Below it the policy warns (the Harvester UI's own minimum). */
  readonly uiMinimum?: number;
  readonly kubevirtDefault: unknown;
  /** The KubeVirt CRD's description when it has one, else the options table's. */
  readonly help: string;
  /** Why the field cannot be set, when it cannot: protected, or not listed by the KubeVirt CRD. */
  readonly locked?: string;
}

/** What the page knows of the installed KubeVirt: its CRD's migration options and their descriptions. */
export interface KubevirtOptions {
  /** Where the descriptions come from, shown on the page ("KubeVirt v1.7.0 CRD"). */
  readonly source: string;
  readonly options: Readonly<Record<string, string | null>>;
}

/** One field per option of the options table, in its order, with its kind, range and hints. */
export const fieldsOf = (kubevirt?: KubevirtOptions): readonly Field[] =>
  OPTIONS.map((option: OptionSpec): Field => {
    const { key, kind } = option;
    const crdHelp = kubevirt?.options[key];
    const range = kind.type === 'integer' ? { minimum: kind.min, maximum: kind.max } : {};
    const locked =
      kind.type === 'protected'
        ? option.description
        : kubevirt !== undefined && !(key in kubevirt.options)
          ? `The ${kubevirt.source} does not list this option${option.since === undefined ? '' : ` (it came in KubeVirt ${option.since})`}: the API server would drop it.`
          : undefined;
    return {
      key,
      kind: kind.type,
      ...range,
      ...(option.unit === undefined ? {} : { unit: option.unit }),
      ...(option.uiMinimum === undefined ? {} : { uiMinimum: option.uiMinimum }),
      kubevirtDefault: option.kubevirtDefault,
      help:
        typeof crdHelp === 'string' && crdHelp.trim() !== '' ? crdHelp.trim().replace(/\s+/g, ' ') : option.description,
      ...(locked === undefined ? {} : { locked }),
    };
  });

/** The options the CRD lists (the policy refuses others), or undefined when no CRD is known. */
export const supportedOf = (kubevirt?: KubevirtOptions): SupportedOptions =>
  kubevirt === undefined ? undefined : new Set(Object.keys(kubevirt.options));

/**
 * What is typed into the form: the text of a number or quantity field, 'true'/'false' of a boolean
 * one; a field left empty (or a boolean left at "not set") is not in the map.
 */
export type FormState = Readonly<Record<string, string>>;

const JSON_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * The setting value a form state saves, compact JSON in field order. A number field keeps the digits
 * typed (no rounding of big numbers); anything else typed there is saved as a string, so that the
 * policy reports it at its field. A quantity is always a string ("64Mi"): a bare number means bytes.
 */
export const valueText = (fields: readonly Field[], state: FormState): string => {
  const members: string[] = [];
  for (const field of fields) {
    const raw = state[field.key]?.trim();
    if (raw === undefined || raw === '' || field.locked !== undefined) continue;
    const json =
      field.kind === 'integer'
        ? JSON_INTEGER.test(raw)
          ? raw
          : JSON.stringify(raw)
        : field.kind === 'boolean'
          ? raw === 'true'
            ? 'true'
            : 'false'
          : JSON.stringify(raw);
    members.push(`${JSON.stringify(field.key)}:${json}`);
  }
  return `{${members.join(',')}}`;
};

export interface Messages {
  /** Violations and warnings by option key. */
  readonly byField: ReadonlyMap<
    string,
    { readonly violations: readonly string[]; readonly warnings: readonly string[] }
  >;
  /** Those about the value as a whole, or a field the form does not show. */
  readonly general: readonly string[];
  readonly valid: boolean;
}

/** The option key a message's path points at (`['value', 'progressTimeout']` → progressTimeout), if it is one of the fields. */
const keyOf = (fields: readonly Field[], path: FieldPath): string | undefined => {
  const [root, key, ...below] = path;
  return root === ROOT && below.length === 0 && fields.some((f) => f.key === key) ? key : undefined;
};

/** The policy's verdict on a value text, each violation and warning at its field. */
export const check = (fields: readonly Field[], text: string, supported: SupportedOptions): Messages => {
  const byField = new Map<string, { violations: string[]; warnings: string[] }>();
  const general: string[] = [];
  const at = (
    { path, field, message }: { readonly path: FieldPath; readonly field: string; readonly message: string },
    as: 'violations' | 'warnings',
  ): void => {
    const key = keyOf(fields, path);
    if (key === undefined) {
      general.push(`${field}: ${message}`);
      return;
    }
    const entry = byField.get(key) ?? { violations: [], warnings: [] };
    entry[as].push(message);
    byField.set(key, entry);
  };
  const decoded = decodeConfigText(text, ROOT, supported);
  if (E.isLeft(decoded)) {
    for (const v of decoded.left) at(v, 'violations');
    return { byField, general, valid: false };
  }
  for (const w of configWarnings(decoded.right, ROOT)) at(w, 'warnings');
  return { byField, general, valid: true };
};

export type Preview =
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly message: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'patch';
      readonly patch: readonly Operation[];
      readonly before: Readonly<Record<string, unknown>>;
      readonly after: Readonly<Record<string, unknown>>;
    };

/**
 * The JSON Patch the controller would send to the pasted KubeVirt CR (YAML or JSON) if the value
 * text were saved: the policy's own plan, with its before and after migrations blocks.
 */
export const preview = (valueText: string, kubevirtText: string, supported: SupportedOptions, now: string): Preview => {
  if (kubevirtText.trim() === '') return { kind: 'none' };
  let kubevirt: unknown;
  try {
    kubevirt = parseYaml(kubevirtText, { maxAliasCount: 100 });
  } catch (e) {
    return {
      kind: 'unreadable',
      message: `the KubeVirt CR is not YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    };
  }
  const record =
    typeof kubevirt === 'object' && kubevirt !== null && !Array.isArray(kubevirt)
      ? (kubevirt as Record<string, unknown>)
      : undefined;
  if (record?.['kind'] !== 'KubeVirt') {
    return {
      kind: 'unreadable',
      message:
        'paste a KubeVirt CR (kind: KubeVirt), as `kubectl get kubevirt -n harvester-system kubevirt -o yaml` prints it',
    };
  }
  const setting = {
    apiVersion: 'harvesterhci.io/v1beta1',
    kind: 'Setting',
    metadata: { name: SETTING_NAME },
    value: valueText,
  };
  const planned = planPreview({ setting, kubevirt, supportedOptions: supported, now });
  if (E.isLeft(planned))
    return { kind: 'unreadable', message: `the planned patch does not apply to this CR: ${planned.left}` };
  const { plan, patch, before, after } = planned.right;
  if (plan.outcome === 'Invalid' || plan.outcome === 'FeatureGateMissing') return { kind: 'invalid' };
  return patch.length === 0 ? { kind: 'unchanged' } : { kind: 'patch', patch, before, after };
};
