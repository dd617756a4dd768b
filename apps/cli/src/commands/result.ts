/** What a command hands back to main: text for stdout and stderr, and the exit code. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: 0 | 1 | 2;
}

export type OutputFormat = 'text' | 'json';

export const json = (value: unknown): string => JSON.stringify(value, null, 2);
