import type { SupportedOptions } from '../config.js';
import { at, isRecord } from '../json.js';
import { migrationsBlock } from '../kubevirt.js';
import { type OptionKey, OPTIONS } from '../options.js';
import { type Labels, type MigrationPolicy, POLICY_OPTIONS, type PolicyOption } from './policy.js';
import { choosePolicy, type PolicyChoice } from './precedence.js';

/** Where an effective option's value comes from (docs/semantics.md §7). */
export type OptionSource = 'default' | 'kubevirt' | 'policy';

/** The inputs of the per-VMI question: the objects as read, the policies decoded. */
export interface EffectiveInput {
  /** The VirtualMachineInstance (its namespace, name and labels are read). */
  readonly vmi: unknown;
  /** Its Namespace (its labels are read); undefined for a Namespace without labels. */
  readonly namespace?: unknown;
  readonly policies: readonly MigrationPolicy[];
  /** The KubeVirt CR (its `spec.configuration.migrations` is read). */
  readonly kubevirt: unknown;
  /** Options the installed KubeVirt CRD lists; undefined: every option of the table. */
  readonly supportedOptions?: SupportedOptions;
  /** Spec fields the installed MigrationPolicy CRD lists; undefined: every field KubeVirt knows. */
  readonly policyFields?: ReadonlySet<string>;
}

/** The configuration one VMI would migrate with, where each option comes from, and why that policy. */
export interface EffectiveConfiguration {
  /** `namespace/name` of the VMI. */
  readonly vmi: string;
  /** The winning policy's name, or undefined when none matches. */
  readonly policy: string | undefined;
  /** Every option KubeVirt resolves, in the order of the options table. */
  readonly configuration: { readonly [K in OptionKey]?: unknown };
  readonly sources: { readonly [K in OptionKey]?: OptionSource };
  /** Every policy's score, and the winner. */
  readonly choice: PolicyChoice;
  /** The listed options that no policy can set. */
  readonly clusterOnly: readonly OptionKey[];
}

/** The labels of an object, or undefined when it has none; values that are not strings are not labels. */
export const labelsOf = (object: unknown): Labels | undefined => {
  const labels = at(object, 'metadata', 'labels');
  if (!isRecord(labels)) return undefined;
  const strings = Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string');
  return strings.length === 0 ? undefined : Object.fromEntries(strings);
};

const nameOf = (object: unknown): string => {
  const ns = at(object, 'metadata', 'namespace');
  const name = at(object, 'metadata', 'name');
  return `${typeof ns === 'string' ? ns : ''}/${typeof name === 'string' ? name : ''}`;
};

/** The options of a configuration being built, and where each comes from. */
interface Layers {
  readonly configuration: { [K in OptionKey]?: unknown };
  readonly sources: { [K in OptionKey]?: OptionSource };
}

const isPolicyOption = (key: string): key is PolicyOption => (POLICY_OPTIONS as readonly string[]).includes(key);

/** Each listed option as the CR sets it, else KubeVirt's default; with its source. */
const crLayer = (listed: readonly (typeof OPTIONS)[number][], kubevirt: unknown): Layers => {
  const block = migrationsBlock(kubevirt) ?? {};
  const configuration: { [K in OptionKey]?: unknown } = {};
  const sources: { [K in OptionKey]?: OptionSource } = {};
  for (const option of listed) {
    const onCR = block[option.key];
    const set = onCR !== undefined && onCR !== null;
    configuration[option.key] = set ? onCR : option.kubevirtDefault;
    sources[option.key] = set ? 'kubevirt' : 'default';
  }
  // An unset allowWorkloadDisruption follows allowPostCopy (KubeVirt's GetMigrationConfiguration).
  if (sources.allowWorkloadDisruption === 'default' && 'allowPostCopy' in configuration) {
    configuration.allowWorkloadDisruption = configuration.allowPostCopy === true;
    sources.allowWorkloadDisruption = sources.allowPostCopy ?? 'default';
  }
  return { configuration, sources };
};

/** The options a policy sets, as KubeVirt applies them. */
const policyOverlay = (set: MigrationPolicy['options']): Partial<Record<PolicyOption, unknown>> => {
  // Quirk 4: a policy's allowPostCopy without its allowWorkloadDisruption sets the latter too.
  const disruption = set.allowWorkloadDisruption ?? set.allowPostCopy;
  return { ...set, ...(disruption === undefined ? {} : { allowWorkloadDisruption: disruption }) };
};

/**
 * The effective migration configuration of one VMI as KubeVirt 1.7.0 resolves it (docs/semantics.md
 * §7): KubeVirt's defaults, overlaid by the CR's options, overlaid by the options the winning
 * MigrationPolicy sets; each option with its source.
 */
export const effectiveConfiguration = (input: EffectiveInput): EffectiveConfiguration => {
  const listed = OPTIONS.filter((o) => input.supportedOptions === undefined || input.supportedOptions.has(o.key));
  const { configuration, sources } = crLayer(listed, input.kubevirt);
  const settable = (key: OptionKey): boolean =>
    isPolicyOption(key) && key in configuration && (input.policyFields === undefined || input.policyFields.has(key));
  const choice = choosePolicy(input.policies, labelsOf(input.vmi), labelsOf(input.namespace));
  const winner = choice.winner;
  if (winner !== undefined) {
    const overlay = policyOverlay(winner.options);
    for (const key of POLICY_OPTIONS) {
      const value = overlay[key];
      if (value !== undefined && settable(key)) {
        configuration[key] = value;
        sources[key] = 'policy';
      }
    }
  }
  return {
    vmi: nameOf(input.vmi),
    policy: winner?.name,
    configuration,
    sources,
    choice,
    clusterOnly: listed.map((o) => o.key).filter((k) => !settable(k)),
  };
};
