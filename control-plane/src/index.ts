/**
 * @packageDocumentation
 * A local Kubernetes control plane for `npm start` and the cluster tests: etcd and kube-apiserver
 * built from the Go module proxy, on loopback, with a generated PKI, the project's CRDs and seeds.
 */
export { startControlPlane } from './control-plane.js';
export type { ControlPlane } from './control-plane.js';
export { seed, installCrds, crdFiles } from './seed.js';
export { stderrLog, quietLog } from './log.js';
export { freePort } from './ports.js';
export { startWebhook, startController, webhookAnswers, chartEnvironment } from './apps.js';
export { ManagedProcess } from './process.js';
export { ensureBinaries } from './binaries.js';
export { createPki } from './pki.js';
export { cpuMicros, rssMiB, rssPartsMiB } from './proc-stats.js';
export { guardDrops } from './node/network.js';
export { auditEvents, auditPod } from './node/audit.js';
export type { AuditEvent } from './node/audit.js';
