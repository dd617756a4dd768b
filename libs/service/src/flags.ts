/**
 * Command-line flags of the long-running apps, declared once as a table: parsed, validated (with a
 * message that names the flag and what it accepts) and described in the usage, before anything
 * starts. `--name value` and `--name=value` are both accepted, as with Go's flag package.
 */
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
  | { readonly type: 'seconds'; readonly help: string; readonly default: number; readonly zero?: string; readonly env?: string }
  | { readonly type: 'port'; readonly help: string; readonly default: number; readonly env?: string }
  | { readonly type: 'choice'; readonly help: string; readonly default: string; readonly choices: readonly string[]; readonly env?: string };

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
  kubeconfig: { type: 'string', help: 'kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, then the pod service account)', placeholder: 'FILE' },
  context: { type: 'string', help: 'kubeconfig context', placeholder: 'NAME' },
} as const satisfies FlagTable;

export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

/** Bad usage: the message says which flag and why; the caller prints it with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const parseValue = (spec: FlagSpec, raw: string, from: string): string | number | boolean => {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`${from} must not be empty`);
      return raw;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`${from} must be true or false, not ${JSON.stringify(raw)}`);
      return raw === 'true';
    case 'choice':
      if (!spec.choices.includes(raw)) throw new UsageError(`${from} must be one of ${spec.choices.join(', ')}, not ${JSON.stringify(raw)}`);
      return raw;
    case 'seconds': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && spec.zero === undefined)) {
        throw new UsageError(
          `${from} must be a number of seconds ${spec.zero === undefined ? 'above 0' : `(0 or more; 0: ${spec.zero})`}, not ${JSON.stringify(raw)}`,
        );
      }
      return n;
    }
    case 'port': {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n > 65535) throw new UsageError(`${from} must be a port from 0 to 65535 (0 picks a free one), not ${JSON.stringify(raw)}`);
      return n;
    }
  }
};

/**
 * Parses `argv` (without node and the script) against `table`; a flag not given takes its
 * environment variable, then its default. Throws UsageError for an unknown flag, a missing value,
 * a value of the wrong form, a required flag not given, or a positional argument. `--help` gives
 * `help: true` and nothing else is checked.
 */
export const parseFlags = <T extends FlagTable>(table: T, argv: readonly string[], env: NodeJS.ProcessEnv): FlagValues<T> | { readonly help: true } => {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: every setting is a --flag`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = table[name];
    if (spec === undefined) throw new UsageError(`unknown flag --${name}`);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      const next = argv[i + 1];
      if (spec.type === 'boolean' && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new UsageError(`--${name} needs a value`);
      else {
        value = next;
        i++;
      }
    }
    given.set(name, value);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const envName = 'env' in spec ? spec.env : undefined;
    const fromEnv = envName === undefined ? undefined : env[envName];
    const raw = given.get(name) ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
    const from = given.has(name) ? `--${name}` : `${envName ?? name} (environment, for --${name})`;
    if (raw !== undefined) values[name] = parseValue(spec, raw, from);
    else if (spec.type === 'string' && spec.required === true)
      throw new UsageError(`--${name} is required${envName === undefined ? '' : ` (or set ${envName})`}`);
    else values[name] = spec.default;
  }
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
      'default' in spec && spec.default !== undefined && spec.default !== '' ? `default ${String(spec.default)}` : undefined,
      'env' in spec && spec.env !== undefined ? `env ${spec.env}` : undefined,
    ].filter((n) => n !== undefined);
    return [`  --${name} ${placeholder}`, `${spec.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [`usage: ${command} [flags]`, summary, '', ...rows.map(([left, right]) => `${left.padEnd(width)}${right}`)].join('\n');
};
