import { stringify } from 'yaml';

/** What a command hands back to main: text for stdout and stderr, and the exit code. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: 0 | 1 | 2;
}

export type OutputFormat = 'text' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'yaml'];

/** The machine-readable form of a value: JSON (indented) or YAML. */
export const machine = (format: Exclude<OutputFormat, 'text'>, value: unknown): string =>
  format === 'json' ? JSON.stringify(value, null, 2) : stringify(value, { lineWidth: 0 }).trimEnd();
