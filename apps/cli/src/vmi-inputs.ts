import { existsSync } from 'node:fs';

import {
  decodeMigrationPolicy,
  decodePolicyCrdFields,
  formatViolation,
  type MigrationPolicy,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import { InputError } from './io/errors.js';
import { CRD, expectList, expectOne, MIGRATION_POLICY, NAMESPACE, VMI } from './io/objects.js';
import { readDocuments } from './io/read-documents.js';

/** The per-VMI inputs of `effective` (docs/semantics.md §7): a file each where given, else the cluster. */
export interface VmiInputs {
  readonly vmi: () => Promise<unknown>;
  readonly namespace: (name: string) => Promise<unknown>;
  /** Every MigrationPolicy, as read: where it came from and the object. */
  readonly policies: () => Promise<readonly { readonly where: string; readonly object: unknown }[]>;
  /** Spec fields of the installed MigrationPolicy CRD; undefined when it is not known. */
  readonly policyFields: () => Promise<ReadonlySet<string> | undefined>;
}

/** What the cluster supplies for them; undefined for an object that does not exist. */
export interface VmiClusterReader {
  readonly server: () => Promise<string>;
  readonly vmi: (namespace: string, name: string) => Promise<unknown>;
  readonly namespace: (name: string) => Promise<unknown>;
  readonly migrationPolicies: () => Promise<readonly unknown[]>;
  readonly migrationPolicyCrd: () => Promise<unknown>;
}

export interface VmiFileFlags {
  /** A file, or NAMESPACE/NAME of a VMI in the cluster. */
  readonly vmi: string;
  readonly namespace?: string | undefined;
  readonly policies?: string | undefined;
  readonly policyCrd?: string | undefined;
}

const REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

const needCluster = (cluster: () => VmiClusterReader | undefined, flag: string): VmiClusterReader => {
  const c = cluster();
  if (c === undefined) throw new InputError(`${flag} is required when no cluster is used`);
  return c;
};

const fieldsFrom = (where: string, crd: unknown): ReadonlySet<string> => {
  const decoded = decodePolicyCrdFields(crd);
  if (E.isLeft(decoded)) throw new InputError(`${where}: ${decoded.left}`);
  return decoded.right;
};

/** Inputs of `effective` from files, falling back to the cluster for each one not given. */
export const vmiInputsFrom = (files: VmiFileFlags, cluster: () => VmiClusterReader | undefined): VmiInputs => ({
  vmi: async () => {
    if (existsSync(files.vmi) || !REF.test(files.vmi)) return expectOne(files.vmi, await readDocuments(files.vmi), VMI);
    const [namespace = '', name = ''] = files.vmi.split('/');
    const c = needCluster(cluster, `--vmi FILE (${files.vmi} is no file)`);
    const vmi = await c.vmi(namespace, name);
    if (vmi === undefined) throw new InputError(`${await c.server()}: VirtualMachineInstance ${files.vmi} not found`);
    return vmi;
  },
  namespace: async (name) => {
    if (files.namespace !== undefined)
      return expectOne(files.namespace, await readDocuments(files.namespace), NAMESPACE);
    const c = needCluster(cluster, '--namespace');
    const ns = await c.namespace(name);
    if (ns === undefined) throw new InputError(`${await c.server()}: Namespace ${name} not found`);
    return ns;
  },
  policies: async () => {
    if (files.policies !== undefined) {
      const file = files.policies;
      return expectList(file, await readDocuments(file), MIGRATION_POLICY).map((object) => ({ where: file, object }));
    }
    const c = needCluster(cluster, '--policies');
    const server = await c.server();
    return (await c.migrationPolicies()).map((object) => ({ where: server, object }));
  },
  policyFields: async () => {
    if (files.policyCrd !== undefined)
      return fieldsFrom(files.policyCrd, expectOne(files.policyCrd, await readDocuments(files.policyCrd), CRD));
    const c = cluster();
    if (c === undefined) return undefined;
    const crd = await c.migrationPolicyCrd();
    return crd === undefined
      ? undefined
      : fieldsFrom(`${await c.server()}: CRD migrationpolicies.migrations.kubevirt.io`, crd);
  },
});

const nameOf = (object: unknown): string => {
  const name = (object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' && name !== '' ? name : '(no name)';
};

/** Decodes every policy; the first invalid one is one line naming its file (or server), object and field. */
export const decodePolicies = (
  read: readonly { readonly where: string; readonly object: unknown }[],
  fields: ReadonlySet<string> | undefined,
): readonly MigrationPolicy[] =>
  read.map(({ where, object }) => {
    const decoded = decodeMigrationPolicy(object, fields);
    if (E.isRight(decoded)) return decoded.right;
    throw new InputError(
      `${where}: MigrationPolicy ${nameOf(object)}: ${decoded.left.map(formatViolation).join('; ')}`,
    );
  });
