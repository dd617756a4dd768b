/**
 * Command-line flags of the long-running apps, declared once as a table: parsed (by commander, as the
 * CLI's are), validated (with a message that names the flag and what it accepts) and described in the
 * usage, before anything starts. `--name value` and `--name=value` are both accepted, as with Go's
 * flag package.
 */
import { Command, CommanderError, Option } from 'commander';

type FlagSpec =
  | {
      readonly type: 'string';
      readonly help: string;
      readonly default?: string;
      readonly env?: string;
      readonly required?: boolean;
      readonly placeholder?: string;
    }
  | { readonly type: 'boolean'; readonly help: string; readonly default: boolean }
  /** A duration in seconds (fractions allowed); above 0 unless `zero` says what 0 means. */
  | {
      readonly type: 'seconds';
      readonly help: string;
      readonly default: number;
      readonly zero?: string;
      readonly env?: string;
    }
  | { readonly type: 'port'; readonly help: string; readonly default: number; readonly env?: string }
  | {
      readonly type: 'choice';
      readonly help: string;
      readonly default: string;
      readonly choices: readonly string[];
      readonly env?: string;
    };

export type FlagTable = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S extends { type: 'string' }
  ? S extends { required: true } | { default: string }
    ? string
    : string | undefined
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'choice' }
      ? string
      : number;

/** How a program finds its cluster, as client-go does: the flags every program that talks to the API server takes. */
export const CLUSTER_FLAGS = {
  kubeconfig: {
    type: 'string',
    help: 'kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, then the pod service account)',
    placeholder: 'FILE',
  },
  context: { type: 'string', help: 'kubeconfig context', placeholder: 'NAME' },
} as const satisfies FlagTable;

export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

/** Bad usage: the message says which flag and why; the caller prints it with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const parseSeconds = (spec: Extract<FlagSpec, { type: 'seconds' }>, raw: string, from: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && spec.zero === undefined)) {
    throw new UsageError(
      `${from} must be a number of seconds ${spec.zero === undefined ? 'above 0' : `(0 or more; 0: ${spec.zero})`}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
};

const parsePort = (raw: string, from: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535)
    throw new UsageError(`${from} must be a port from 0 to 65535 (0 picks a free one), not ${JSON.stringify(raw)}`);
  return n;
};

const parseValue = (spec: FlagSpec, raw: string, from: string): string | number | boolean => {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`${from} must not be empty`);
      return raw;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        throw new UsageError(`${from} must be true or false, not ${JSON.stringify(raw)}`);
      return raw === 'true';
    case 'choice':
      if (!spec.choices.includes(raw))
        throw new UsageError(`${from} must be one of ${spec.choices.join(', ')}, not ${JSON.stringify(raw)}`);
      return raw;
    case 'seconds':
      return parseSeconds(spec, raw, from);
    case 'port':
      return parsePort(raw, from);
  }
};

/**
 * Splits `argv` into the flags given, by commander (the CLI's parser: one parser for every program).
 * Nothing is defaulted or converted here: the table's own checks below name what is wrong.
 */
const givenFlags = (table: FlagTable, argv: readonly string[]): Map<string, string> => {
  const command = new Command()
    .exitOverride()
    .helpOption(false)
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  const names = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) {
    const option = new Option(spec.type === 'boolean' ? `--${name} [true|false]` : `--${name} <value>`);
    names.set(option.attributeName(), name);
    command.addOption(option);
  }
  let rest: { readonly operands: readonly string[]; readonly unknown: readonly string[] };
  try {
    rest = command.parseOptions([...argv]);
  } catch (e) {
    const missing =
      e instanceof CommanderError && e.code === 'commander.optionMissingArgument'
        ? /'--([^ ']+)/.exec(e.message)?.[1]
        : undefined;
    throw missing === undefined ? e : new UsageError(`--${missing} needs a value`);
  }
  const unknown = rest.unknown[0];
  if (unknown !== undefined) throw new UsageError(`unknown flag ${unknown.split('=')[0] ?? unknown}`);
  const operand = rest.operands[0];
  if (operand !== undefined)
    throw new UsageError(`unexpected argument ${JSON.stringify(operand)}: every setting is a --flag`);
  const given = new Map<string, string>();
  for (const [attribute, value] of Object.entries(command.opts<Record<string, string | true>>()))
    given.set(names.get(attribute) ?? attribute, String(value));
  return given;
};

/** The value of one flag: given, else its environment variable, else its default. */
const flagValue = (
  name: string,
  spec: FlagSpec,
  given: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
): unknown => {
  const envName = 'env' in spec ? spec.env : undefined;
  const fromEnv = envName === undefined ? undefined : env[envName];
  const raw = given.get(name) ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
  const from = given.has(name) ? `--${name}` : `${envName ?? name} (environment, for --${name})`;
  if (raw !== undefined) return parseValue(spec, raw, from);
  if (spec.type === 'string' && spec.required === true)
    throw new UsageError(`--${name} is required${envName === undefined ? '' : ` (or set ${envName})`}`);
  return spec.default;
};

/**
 * Parses `argv` (without node and the script) against `table`; a flag not given takes its
 * environment variable, then its default. Throws UsageError for an unknown flag, a missing value,
 * a value of the wrong form, a required flag not given, or a positional argument. `--help` gives
 * `help: true` and nothing else is checked.
 */
export const parseFlags = <T extends FlagTable>(
  table: T,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): FlagValues<T> | { readonly help: true } => {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const given = givenFlags(table, argv);
  const values = Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [name, flagValue(name, spec, given, env)]),
  );
  return values as FlagValues<T>;
};

/** The usage text: one line per flag, with its default and environment variable. */
export const usage = (command: string, summary: string, table: FlagTable): string => {
  const rows = Object.entries(table).map(([name, spec]) => {
    const placeholder =
      spec.type === 'boolean'
        ? 'BOOL'
        : spec.type === 'seconds'
          ? 'S'
          : spec.type === 'port'
            ? 'N'
            : spec.type === 'choice'
              ? spec.choices.join('|')
              : (spec.placeholder ?? 'VALUE');
    const notes = [
      spec.type === 'string' && spec.required === true ? 'required' : undefined,
      'default' in spec && spec.default !== undefined && spec.default !== ''
        ? `default ${String(spec.default)}`
        : undefined,
      'env' in spec && spec.env !== undefined ? `env ${spec.env}` : undefined,
    ].filter((n) => n !== undefined);
    return [`  --${name} ${placeholder}`, `${spec.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: ${command} [flags]`,
    summary,
    '',
    ...rows.map(([left, right]) => `${left.padEnd(width)}${right}`),
  ].join('\n');
};
