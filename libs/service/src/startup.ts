import type { Server } from 'node:net';

import { errorMessage } from './errors.js';
import { type FlagTable, type FlagValues, parseFlags, usage, UsageError } from './flags.js';

/** An error a program reports as one line before it exits 1 (a missing file, a port in use). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * The start of a long-running app: flags parsed and checked before anything starts (`check` adds
 * rules between flags), `--help` answered, then `main`. Bad usage is one line and exit 2; a failure
 * of `main` is one line naming the program and exit 1; never a stack trace.
 */
interface Program<T extends FlagTable> {
  /** The name in messages and in `--help`. */
  readonly command: string;
  /** One sentence for `--help`. */
  readonly summary: string;
  readonly flags: T;
  readonly main: (flags: FlagValues<T>) => Promise<void>;
  /** A rule between flags: a message when they do not fit together. */
  readonly check?: (flags: FlagValues<T>) => string | undefined;
}

export const runMain = <T extends FlagTable>({
  command,
  summary,
  flags: table,
  main,
  check = () => undefined,
}: Program<T>): void => {
  let flags: FlagValues<T>;
  try {
    const parsed = parseFlags(table, process.argv.slice(2), process.env);
    if ('help' in parsed && parsed.help === true) {
      process.stdout.write(`${usage(command, summary, table)}\n`);
      return;
    }
    flags = parsed as FlagValues<T>;
    const problem = check(flags);
    if (problem !== undefined) throw new UsageError(problem);
  } catch (e) {
    process.stderr.write(`${command}: ${errorMessage(e)}\nRun ${command} --help for the flags.\n`);
    process.exitCode = 2;
    return;
  }
  main(flags).catch((e: unknown) => {
    process.stderr.write(`${command}: ${errorMessage(e)}\n`);
    process.exit(1);
  });
};

/** Starts `server` listening; fails with a StartupError that names what it is for, the address and why. */
export const listen = (server: Server, port: number, host: string, what: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'the address is already in use'
          : e.code === 'EADDRNOTAVAIL'
            ? 'no such address on this machine'
            : e.code === 'EACCES'
              ? 'permission denied'
              : e.message;
      reject(new StartupError(`cannot listen on ${host}:${port} for ${what}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
