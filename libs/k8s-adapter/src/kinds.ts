/** The objects this project reads and writes, with where they live in the API. */

export interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

export const SETTINGS: CustomKind = { group: 'harvesterhci.io', version: 'v1beta1', plural: 'settings', kind: 'Setting' };
export const KUBEVIRTS: CustomKind = { group: 'kubevirt.io', version: 'v1', plural: 'kubevirts', kind: 'KubeVirt' };
export const MIGRATIONS: CustomKind = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstancemigrations',
  kind: 'VirtualMachineInstanceMigration',
};

/** CRDs are read and created through the generic object API, so no field is lost to client-node's typed models. */
export const CRDS: CustomKind = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition' };

export const KUBEVIRT_CRD_NAME = 'kubevirts.kubevirt.io';

/** The URL path of a kind's collection, for watches. */
export const collectionPath = (k: CustomKind, namespace?: string): string =>
  `/apis/${k.group}/${k.version}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${k.plural}`;
