/**
 * @packageDocumentation
 * The runtime the controller and the webhook share: flags and start-up, structured JSON logs, the
 * /healthz, /readyz and /metrics probes, metrics, and graceful shutdown on SIGINT/SIGTERM.
 */
export type { FlagValues } from './flags.js';
export { CLUSTER_FLAGS } from './flags.js';
export { runMain, listen, StartupError } from './startup.js';
export { createLogger, isLevel, LOG_FLAGS } from './log.js';
export type { Logger } from './log.js';
export { metricsRegistry } from './metrics.js';
export type { MetricsRegistry } from './metrics.js';
export { serveProbes } from './ops.js';
export { onShutdown } from './shutdown.js';
export { errorMessage, fileErrorText, firstLine } from './errors.js';
