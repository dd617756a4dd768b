import * as E from 'fp-ts/lib/Either.js';
import { adopt as adoptOptions, decodeConfigText, isBlank, sameConfig, viewSetting } from '@kubevirt-migration/migration-policy';
import type { Inputs, SettingValueWriter } from '../inputs.js';
import { InputError } from '../io/errors.js';
import { renderViolations } from '../render/violations.js';
import type { Stylist } from '../render/style.js';
import type { CommandResult, OutputFormat } from './result.js';


export interface AdoptOptions {
  readonly output: OutputFormat;
  /** Present when `--apply` was given and a cluster can be written. */
  readonly apply?: { readonly write: SettingValueWriter } | undefined;
}

/**
 * The Setting value that keeps the CR's current owned options. With --apply it is written, but
 * never over a non-blank value that means something else: that would lose the administrator's
 * configuration.
 */
export const adopt = async (opts: AdoptOptions, inputs: Inputs, paint: Stylist): Promise<CommandResult> => {
  const [kubevirt, supported] = await Promise.all([inputs.kubevirt(), inputs.supportedOptions()]);
  const adoption = adoptOptions(kubevirt, supported);
  const stderr = adoption.omitted.length > 0 ? `These options of the CR fail validation and are left out:\n${renderViolations(adoption.omitted, paint)}` : undefined;
  if (opts.apply !== undefined) {
    const setting = await inputs.setting();
    const { view } = viewSetting(setting);
    const rv = (setting as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (!isBlank(view.value) && view.value !== undefined) {
      const current = decodeConfigText(view.value, 'value', supported);
      if (!(E.isRight(current) && sameConfig(current.right, adoption.config))) {
        throw new InputError('the setting already has a value that differs from the CR; adopt writes only a blank value (clear it first to adopt)');
      }
    } else {
      await opts.apply.write(adoption.value, { value: view.value, resourceVersion: rv });
    }
  }
  return { stdout: adoption.value, ...(stderr === undefined ? {} : { stderr }), exitCode: 0 };
};
