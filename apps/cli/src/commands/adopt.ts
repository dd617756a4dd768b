import { adopt as adoptOptions, type Operation, planAdoptionWrite } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { Inputs } from '../inputs.js';
import { InputError } from '../io/errors.js';
import type { Stylist } from '../render/style.js';
import { renderViolations } from '../render/violations.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

export interface AdoptOptions {
  readonly output: OutputFormat;
  /** Present when `--apply` was given and a cluster can be written. */
  readonly apply?: { readonly patchSetting: (ops: readonly Operation[]) => Promise<void> } | undefined;
}

/**
 * The Setting value that keeps the CR's current owned options. With --apply it is written where the
 * policy allows it (a blank value only; docs/semantics.md §6).
 */
export const adopt = async (opts: AdoptOptions, inputs: Inputs, paint: Stylist): Promise<CommandResult> => {
  const [kubevirt, supported] = await Promise.all([inputs.kubevirt(), inputs.supportedOptions()]);
  const adoption = adoptOptions(kubevirt, supported);
  const stderr =
    adoption.omitted.length > 0
      ? `These options of the CR fail validation and are left out:\n${renderViolations(adoption.omitted, paint)}`
      : undefined;
  if (opts.apply !== undefined) {
    const write = planAdoptionWrite(await inputs.setting(), adoption, supported);
    if (E.isLeft(write)) throw new InputError(write.left);
    if (write.right.length > 0) await opts.apply.patchSetting(write.right);
  }
  // the value is JSON text already; in YAML it is the Setting's field, ready to paste
  const stdout = opts.output === 'yaml' ? machine('yaml', { value: adoption.value }) : adoption.value;
  return { stdout, ...(stderr === undefined ? {} : { stderr }), exitCode: 0 };
};
