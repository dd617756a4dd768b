/**
 * @packageDocumentation
 * The runtime the controller and the webhook share: structured JSON logs, the /healthz, /readyz
 * and /metrics probes, and graceful shutdown on SIGINT/SIGTERM.
 */
export { createLogger, isLevel } from './log.js';
export type { Logger, Level, LoggerOptions } from './log.js';
export { serveProbes } from './ops.js';
export type { Probes } from './ops.js';
export { onShutdown } from './shutdown.js';
