import * as E from 'fp-ts/lib/Either.js';
import { applyPatch, effectiveConfiguration, formatViolation, labelsOf, plan, type SupportedOptions } from '@kubevirt-migration/migration-policy';
import type { Inputs } from '../inputs.js';
import { InputError } from '../io/errors.js';
import { renderEffective } from '../render/effective.js';
import type { Stylist } from '../render/style.js';
import { decodePolicies, type VmiInputs } from '../vmi-inputs.js';
import { machine, type CommandResult, type OutputFormat } from './result.js';

export interface EffectiveOptions {
  readonly output: OutputFormat;
  /** Answer for the CR as the controller would leave it after applying the Setting of `inputs.setting`. */
  readonly afterSetting: boolean;
}

/** The KubeVirt CR after the reconcile pass of docs/semantics.md §5 for a Setting (an adoption leaves it as it is). */
const kubevirtAfter = (setting: unknown, kubevirt: unknown, supportedOptions: SupportedOptions): unknown => {
  const p = plan({ setting, kubevirt, supportedOptions, now: new Date().toISOString() });
  if (p.outcome === 'Ignored') throw new InputError(`--setting: nothing to apply: ${p.reason}`);
  if (p.outcome === 'Invalid') throw new InputError(`--setting: the Setting is invalid: ${p.violations.map(formatViolation).join('; ')}`);
  if (p.outcome !== 'Applied' && p.outcome !== 'DriftCorrected') return kubevirt;
  const applied = applyPatch(kubevirt, p.patch);
  if (E.isLeft(applied)) throw new InputError(`the planned patch does not apply to the KubeVirt CR: ${applied.left}`);
  return applied.right;
};

const namespaceOf = (vmi: unknown): string => {
  const ns = (vmi as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  if (typeof ns !== 'string' || ns === '') throw new InputError('--vmi: the VirtualMachineInstance has no metadata.namespace');
  return ns;
};

/** The configuration one VMI would migrate with (docs/semantics.md §7). Exit 0; bad input is exit 2. */
export const effective = async (opts: EffectiveOptions, inputs: Inputs, vmiInputs: VmiInputs, paint: Stylist): Promise<CommandResult> => {
  const vmi = await vmiInputs.vmi();
  const nsName = namespaceOf(vmi);
  const [namespace, read, policyFields, kubevirt, supportedOptions] = await Promise.all([
    vmiInputs.namespace(nsName),
    vmiInputs.policies(),
    vmiInputs.policyFields(),
    inputs.kubevirt(),
    inputs.supportedOptions(),
  ]);
  const nsObjectName = (namespace as { metadata?: { name?: unknown } }).metadata?.name;
  if (nsObjectName !== nsName)
    throw new InputError(`--namespace: the Namespace is ${JSON.stringify(nsObjectName)}, but the VMI is in ${JSON.stringify(nsName)}`);
  const cr = opts.afterSetting ? kubevirtAfter(await inputs.setting(), kubevirt, supportedOptions) : kubevirt;
  const policies = decodePolicies(read, policyFields);
  const result = effectiveConfiguration({ vmi, namespace, policies, kubevirt: cr, supportedOptions, ...(policyFields === undefined ? {} : { policyFields }) });
  if (opts.output === 'text') return { stdout: renderEffective(result, labelsOf(vmi), labelsOf(namespace), paint), exitCode: 0 };
  return {
    stdout: machine(opts.output, { vmi: result.vmi, policy: result.policy ?? null, configuration: result.configuration, sources: result.sources }),
    exitCode: 0,
  };
};
