import { admit } from '@kubevirt-migration/migration-policy';

import type { Inputs } from '../inputs.js';
import { readSettingFile } from '../inputs.js';
import { InputError } from '../io/errors.js';
import type { Stylist } from '../render/style.js';
import { renderVerdict } from '../render/validate.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

export interface ValidateOptions {
  readonly newFile: string;
  readonly oldFile?: string | undefined;
  readonly operation?: string | undefined;
  readonly output: OutputFormat;
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'] as const;

/** The admission decision of docs/semantics.md §4 on files: exit 0 allowed, 1 denied. */
export const validate = async (opts: ValidateOptions, inputs: Inputs, paint: Stylist): Promise<CommandResult> => {
  const operation = (opts.operation ?? (opts.oldFile === undefined ? 'CREATE' : 'UPDATE')).toUpperCase();
  if (!(OPERATIONS as readonly string[]).includes(operation)) {
    throw new InputError(`--operation must be one of ${OPERATIONS.join(', ')}, not ${JSON.stringify(opts.operation)}`);
  }
  if (operation === 'UPDATE' && opts.oldFile === undefined) throw new InputError('--operation UPDATE needs --old FILE');
  const object = await readSettingFile(opts.newFile);
  const oldObject = opts.oldFile === undefined ? undefined : await readSettingFile(opts.oldFile);
  const [migrations, supportedOptions, featureGates] = await Promise.all([
    inputs.migrations(),
    inputs.supportedOptions(),
    inputs.featureGates(),
  ]);
  const response = admit({ operation, object, oldObject, migrations, supportedOptions, featureGates });
  return {
    stdout: opts.output === 'text' ? renderVerdict(response, paint) : machine(opts.output, response),
    exitCode: response.allowed ? 0 : 1,
  };
};
