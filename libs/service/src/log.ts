import type { FlagTable } from './flags.js';

/**
 * Structured logs: one JSON object a line on stdout ({"time","level","name","msg",...fields}), as
 * log collectors expect. Written out: a logger library (and its worker threads) for one small need
 * would cost more than these lines.
 */
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

/** The flag every long-running program takes for its log level. */
export const LOG_FLAGS = {
  'log-level': {
    type: 'choice',
    default: 'info',
    choices: LEVELS,
    env: 'LOG_LEVEL',
    help: 'least severe level logged (JSON lines on stdout)',
  },
} as const satisfies FlagTable;

const ORDER: Readonly<Record<Level, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  readonly debug: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly info: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly warn: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly error: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly child: (bindings: Readonly<Record<string, unknown>>) => Logger;
}

export interface LoggerOptions {
  readonly level?: Level;
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

export const isLevel = (s: string | undefined): s is Level => s !== undefined && s in ORDER;

const safe = (value: unknown): unknown =>
  value instanceof Error ? { message: value.message, name: value.name } : value;

export const createLogger = (
  name: string,
  options: LoggerOptions = {},
  bindings: Readonly<Record<string, unknown>> = {},
): Logger => {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const at =
    (level: Level) =>
    (msg: string, fields: Readonly<Record<string, unknown>> = {}): void => {
      if (ORDER[level] < min) return;
      const entry: Record<string, unknown> = { time: now().toISOString(), level, name, msg, ...bindings };
      for (const [k, v] of Object.entries(fields)) entry[k] = safe(v);
      let line: string;
      try {
        line = JSON.stringify(entry);
      } catch {
        line = JSON.stringify({ time: entry['time'], level, name, msg, note: 'fields could not be serialised' });
      }
      write(`${line}\n`);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger(name, options, { ...bindings, ...more }),
  };
};
