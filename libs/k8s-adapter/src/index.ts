/**
 * @packageDocumentation
 * All Kubernetes IO of the kubevirt-migration project, over a small node:https REST client of its
 * own (@kubernetes/client-node is only a test dependency). One folder per concern, each floor built
 * only on the ones below it (enforced by lint; each folder's README.md says what it holds):
 * - `runtime/`: the clock and the work queue;
 * - `client/`: kubeconfig, the transport, the one error type, kinds, typed calls;
 * - `informer/`: caches kept by list and watch, and their projections;
 * - `controller/`: reconcile, the controller loop, leader election, events;
 * - `webhook/`: the admission server, review types, registration, serving credentials, certificates.
 */
export { loadConnection } from './client/kubeconfig.js';
export type { Connection, KubeConfigFlags } from './client/kubeconfig.js';
export { KubeHttp } from './client/http.js';
export type { KubeHttpOptions } from './client/http.js';
export { KubeClient } from './client/client.js';
export type { KubeObject } from './client/client.js';
export { AdapterError, isAdapterError, isKind, attempt, orAbsent, fromClientNode } from './client/errors.js';
export type { AdapterErrorKind } from './client/errors.js';
export {
  SETTINGS,
  KUBEVIRTS,
  MIGRATIONS,
  CRDS,
  MIGRATION_POLICIES,
  VMIS,
  NAMESPACES,
  MIGRATION_POLICY_CRD_NAME,
} from './client/kinds.js';
export type { CustomKind } from './client/kinds.js';
export { systemClock } from './runtime/clock.js';
export type { Clock } from './runtime/clock.js';
export { InformerCache } from './informer/cache.js';
export { createAdmissionServer } from './webhook/admission-server.js';
export type { AdmissionServer, AdmissionOutcome } from './webhook/admission-server.js';
export type { AdmissionRequest } from './webhook/admission.js';
export { RegistrationKeeper, removeRegistration, deploymentGone } from './webhook/registration.js';
export type { RegistrationKeeperOptions, RegistrationSpec, WebhookEndpoint } from './webhook/registration.js';
export { judgeProbe, probeWebhook, PROBE_VALUE } from './webhook/probe.js';
export type { WebhookProbe } from './webhook/probe.js';
export { fileCredentials, SecretCredentials } from './webhook/serving-credentials.js';
export type { ServingCredentials, KeyPair } from './webhook/serving-credentials.js';
export { FeatureGatesWatch, InProgressMigrations, SupportedOptionsWatch } from './informer/watches.js';
export { LeaderElector, apiLeaseStore } from './controller/leader.js';
export type { LeaseStore, LeaseRecord } from './controller/leader.js';
export { EventRecorder, apiEventSink } from './controller/events.js';
export type { EventSink, CoreEvent } from './controller/events.js';
export { reconcile } from './controller/reconcile.js';
export type { ReconcileDeps, ReconcileOutcome } from './controller/reconcile.js';
export { ControllerLoop, MigrationController } from './controller/controller.js';
export type { ControllerCaches, ControllerClient, ControllerOptions } from './controller/controller.js';
