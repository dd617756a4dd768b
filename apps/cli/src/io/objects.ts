import { InputError } from './errors.js';

/** Reading Kubernetes objects of an expected kind out of parsed documents. */

interface Kind {
  readonly kind: string;
  readonly apiVersion: string;
}

export const SETTING: Kind = { kind: 'Setting', apiVersion: 'harvesterhci.io/v1beta1' };
export const KUBEVIRT: Kind = { kind: 'KubeVirt', apiVersion: 'kubevirt.io/v1' };
export const VMIM: Kind = { kind: 'VirtualMachineInstanceMigration', apiVersion: 'kubevirt.io/v1' };
export const CRD: Kind = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1' };
export const VMI: Kind = { kind: 'VirtualMachineInstance', apiVersion: 'kubevirt.io/v1' };
export const NAMESPACE: Kind = { kind: 'Namespace', apiVersion: 'v1' };
export const MIGRATION_POLICY: Kind = { kind: 'MigrationPolicy', apiVersion: 'migrations.kubevirt.io/v1alpha1' };

const field = (o: unknown, key: string): unknown =>
  typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;

const describe = (o: unknown): string => {
  const kind = field(o, 'kind');
  if (typeof kind === 'string') return `kind ${kind}`;
  return Array.isArray(o)
    ? 'a list'
    : typeof o === 'object' && o !== null
      ? 'an object without a kind'
      : `a ${typeof o}`;
};

const isKind = (o: unknown, k: Kind): boolean => field(o, 'kind') === k.kind && field(o, 'apiVersion') === k.apiVersion;

/** The one object of a file, of the expected kind. */
export const expectOne = (file: string, docs: readonly unknown[], k: Kind): unknown => {
  if (docs.length !== 1) throw new InputError(`${file}: expected one ${k.kind}, found ${docs.length} documents`);
  const [obj] = docs;
  if (!isKind(obj, k)) throw new InputError(`${file}: expected a ${k.kind} (${k.apiVersion}), found ${describe(obj)}`);
  return obj;
};

/** Items of a `List`/`...List` object, or the documents of a YAML stream, each of the expected kind. */
export const expectList = (file: string, docs: readonly unknown[], k: Kind): unknown[] => {
  const items = docs.flatMap((d) => {
    const kind = field(d, 'kind');
    if (typeof kind === 'string' && kind.endsWith('List')) {
      const list = field(d, 'items');
      if (!Array.isArray(list)) throw new InputError(`${file}: ${kind} has no items array`);
      return list;
    }
    return [d];
  });
  items.forEach((item, i) => {
    if (!isKind(item, k))
      throw new InputError(`${file}: item ${i + 1}: expected a ${k.kind} (${k.apiVersion}), found ${describe(item)}`);
  });
  return items;
};
