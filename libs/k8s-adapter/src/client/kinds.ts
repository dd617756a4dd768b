/** The objects this project reads and writes, with where they live in the API. */

export interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

export const SETTINGS: CustomKind = {
  group: 'harvesterhci.io',
  version: 'v1beta1',
  plural: 'settings',
  kind: 'Setting',
};
export const KUBEVIRTS: CustomKind = { group: 'kubevirt.io', version: 'v1', plural: 'kubevirts', kind: 'KubeVirt' };
export const MIGRATIONS: CustomKind = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstancemigrations',
  kind: 'VirtualMachineInstanceMigration',
};
export const MIGRATION_POLICIES: CustomKind = {
  group: 'migrations.kubevirt.io',
  version: 'v1alpha1',
  plural: 'migrationpolicies',
  kind: 'MigrationPolicy',
};
export const VMIS: CustomKind = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstances',
  kind: 'VirtualMachineInstance',
};
export const NAMESPACES: CustomKind = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace' };
export const CRDS: CustomKind = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
};
export const LEASES: CustomKind = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };
export const SECRETS: CustomKind = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };
export const DEPLOYMENTS: CustomKind = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };
export const EVENTS: CustomKind = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
export const WEBHOOK_CONFIGURATIONS: CustomKind = {
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  plural: 'validatingwebhookconfigurations',
  kind: 'ValidatingWebhookConfiguration',
};

export const KUBEVIRT_CRD_NAME = 'kubevirts.kubevirt.io';
export const MIGRATION_POLICY_CRD_NAME = 'migrationpolicies.migrations.kubevirt.io';

/** The URL path of a kind's collection (core kinds under /api, the others under /apis). */
export const collectionPath = (k: CustomKind, namespace?: string): string =>
  `${k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`}${namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${k.plural}`;

/** The URL path of one object. */
export const objectPath = (k: CustomKind, name: string, namespace?: string): string =>
  `${collectionPath(k, namespace)}/${encodeURIComponent(name)}`;
