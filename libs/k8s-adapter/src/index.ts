/**
 * @packageDocumentation
 * All Kubernetes IO of the kubevirt-migration project, over @kubernetes/client-node: kubeconfig,
 * the Setting, the KubeVirt CR and CRD, migrations, patches with a field manager, informer caches,
 * and one mapping of API errors.
 */
export { loadKubeConfig, kubeconfigSource, clusterRequested } from './kubeconfig.js';
export type { KubeConfigFlags } from './kubeconfig.js';
export { KubeClient } from './client.js';
export type { KubeObject } from './client.js';
export { toAdapterError, isAdapterError, attempt, orAbsent, errorMessage } from './errors.js';
export type { AdapterError, AdapterErrorKind } from './errors.js';
export * from './kinds.js';
export { InformerCache } from './cache.js';
export type { CacheOptions } from './cache.js';
export { decodeAdmissionReview, admissionReview } from './admission.js';
export type { AdmissionRequest } from './admission.js';
export { startAdmissionServer, DEFAULT_MAX_BODY } from './admission-server.js';
export type { AdmissionServer, AdmissionServerOptions, AdmissionOutcome } from './admission-server.js';
export { registerSettingWebhook, unregisterWebhook, settingWebhookConfiguration } from './webhook-config.js';
export type { SettingWebhook } from './webhook-config.js';
export { InProgressMigrations, SupportedOptionsWatch } from './watches.js';
export { WorkQueue } from './workqueue.js';
export type { WorkQueueOptions } from './workqueue.js';
export { LeaderElector } from './leader.js';
export type { LeaderElectionOptions } from './leader.js';
export { EventRecorder } from './events.js';
export type { EventNotice } from './events.js';
export { reconcile } from './reconcile.js';
export type { ReconcileDeps, ReconcileOutcome } from './reconcile.js';
export { MigrationController } from './controller.js';
export type { ControllerOptions } from './controller.js';
