/**
 * An error the CLI reports as one line and exit code 2: bad usage or unreadable input. Anything
 * else that escapes is a bug, and is still reported as one line (with --debug for the stack).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
