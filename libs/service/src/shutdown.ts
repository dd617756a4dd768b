/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits: 0 when it finished, 1 when it failed or took
 * longer than `graceMs` (a second signal also exits at once).
 */
export const onShutdown = (stop: (signal: string) => Promise<void>, graceMs = 30000): void => {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => process.exit(1), graceMs).unref();
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
};
