/** The message of anything thrown (an Error's message, anything else as text): the one place this is decided. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The first line of `errorMessage` (a YAML parser's message goes on with a picture of the input). */
export const firstLine = (e: unknown): string => errorMessage(e).split('\n')[0] ?? '';

/** Why a file could not be read, in words for the errors a user can act on (the message otherwise). */
export const fileErrorText = (e: unknown): string => {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : errorMessage(e);
};
