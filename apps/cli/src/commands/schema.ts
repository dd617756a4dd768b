import { settingValueSchema } from '@kubevirt-migration/migration-policy';
import { json, type CommandResult } from './result.js';

export const schema = (): CommandResult => ({ stdout: json(settingValueSchema()), exitCode: 0 });
