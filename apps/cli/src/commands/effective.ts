import {
  effectiveConfiguration,
  kubevirtAfterSetting,
  labelsOf,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { Inputs } from '../inputs.js';
import { InputError } from '../io/errors.js';
import { renderEffective } from '../render/effective.js';
import type { Stylist } from '../render/style.js';
import { decodePolicies, type VmiInputs } from '../vmi-inputs.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

export interface EffectiveOptions {
  readonly output: OutputFormat;
  /** Answer for the CR as the controller would leave it after applying the Setting of `inputs.setting`. */
  readonly afterSetting: boolean;
}

/** The KubeVirt CR after the reconcile pass of docs/semantics.md §5 for a Setting (an adoption leaves it as it is). */
const kubevirtAfter = (setting: unknown, kubevirt: unknown, supportedOptions: SupportedOptions): unknown => {
  const after = kubevirtAfterSetting({ setting, kubevirt, supportedOptions, now: new Date().toISOString() });
  if (E.isLeft(after)) throw new InputError(`--setting: ${after.left}`);
  return after.right;
};

const namespaceOf = (vmi: unknown): string => {
  const ns = (vmi as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  if (typeof ns !== 'string' || ns === '')
    throw new InputError('--vmi: the VirtualMachineInstance has no metadata.namespace');
  return ns;
};

/** The configuration one VMI would migrate with (docs/semantics.md §7). Exit 0; bad input is exit 2. */
export const effective = async (
  opts: EffectiveOptions,
  inputs: Inputs,
  vmiInputs: VmiInputs,
  paint: Stylist,
): Promise<CommandResult> => {
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
    throw new InputError(
      `--namespace: the Namespace is ${JSON.stringify(nsObjectName)}, but the VMI is in ${JSON.stringify(nsName)}`,
    );
  const cr = opts.afterSetting ? kubevirtAfter(await inputs.setting(), kubevirt, supportedOptions) : kubevirt;
  const policies = decodePolicies(read, policyFields);
  const result = effectiveConfiguration({
    vmi,
    namespace,
    policies,
    kubevirt: cr,
    supportedOptions,
    ...(policyFields === undefined ? {} : { policyFields }),
  });
  if (opts.output === 'text')
    return { stdout: renderEffective(result, labelsOf(vmi), labelsOf(namespace), paint), exitCode: 0 };
  return {
    stdout: machine(opts.output, {
      vmi: result.vmi,
      policy: result.policy ?? null,
      configuration: result.configuration,
      sources: result.sources,
    }),
    exitCode: 0,
  };
};
