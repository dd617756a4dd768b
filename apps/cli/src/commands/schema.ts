import { settingValueSchema } from '@kubevirt-migration/migration-policy';

import { type CommandResult, machine, type OutputFormat } from './result.js';

/** The JSON Schema of the setting value: JSON unless YAML is asked for. */
export const schema = (output: OutputFormat): CommandResult => ({
  stdout: machine(output === 'yaml' ? 'yaml' : 'json', settingValueSchema()),
  exitCode: 0,
});
