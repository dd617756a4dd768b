/**
 * @packageDocumentation
 * All Kubernetes IO of the kubevirt-migration project, over @kubernetes/client-node: kubeconfig,
 * the Setting, the KubeVirt CR and CRD, migrations, patches with a field manager, informer caches,
 * the controller loop, leader election, events, the admission server, and one mapping of API errors.
 */
export { loadConnection } from './kubeconfig.js';
export type { Connection, KubeConfigFlags } from './kubeconfig.js';
export { KubeHttp } from './http.js';
export { KubeClient } from './client.js';
export type { KubeObject } from './client.js';
export { AdapterError, isAdapterError, isKind, attempt, orAbsent, errorMessage, fileErrorText, toAdapterError } from './errors.js';
export type { AdapterErrorKind } from './errors.js';
export { SETTINGS, KUBEVIRTS, MIGRATIONS, CRDS, MIGRATION_POLICIES, VMIS, NAMESPACES, MIGRATION_POLICY_CRD_NAME } from './kinds.js';
export type { CustomKind } from './kinds.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { InformerCache } from './cache.js';
export { createAdmissionServer } from './admission-server.js';
export type { AdmissionServer, AdmissionOutcome } from './admission-server.js';
export { RegistrationKeeper, removeRegistration, deploymentGone } from './registration.js';
export type { RegistrationSpec, WebhookEndpoint } from './registration.js';
export { fileCredentials, SecretCredentials } from './serving-credentials.js';
export type { ServingCredentials, KeyPair } from './serving-credentials.js';
export { InProgressMigrations, SupportedOptionsWatch } from './watches.js';
export { LeaderElector, apiLeaseStore } from './leader.js';
export type { LeaseStore, LeaseRecord } from './leader.js';
export { EventRecorder, apiEventSink } from './events.js';
export type { EventSink, CoreEvent } from './events.js';
export { reconcile } from './reconcile.js';
export type { ReconcileDeps, ReconcileOutcome } from './reconcile.js';
export { ControllerLoop, MigrationController } from './controller.js';
export type { ControllerCaches, ControllerClient, ControllerOptions } from './controller.js';
