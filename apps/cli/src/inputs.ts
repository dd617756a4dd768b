import {
  decodeSupportedOptions,
  type FeatureGates,
  featureGatesOf,
  type Operation,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import { InputError } from './io/errors.js';
import { CRD, expectList, expectOne, KUBEVIRT, SETTING, VMIM } from './io/objects.js';
import { readDocuments } from './io/read-documents.js';

/** Where a command's inputs come from: a file each where given, else the cluster (when there is one). */
export interface Inputs {
  readonly setting: () => Promise<unknown>;
  readonly kubevirt: () => Promise<unknown>;
  readonly supportedOptions: () => Promise<SupportedOptions>;
  /** The KubeVirt CRD itself (for its descriptions), or undefined where none is given or found. */
  readonly kubevirtCrd: () => Promise<{ readonly where: string; readonly crd: unknown } | undefined>;
  readonly migrations: () => Promise<readonly unknown[]>;
  /** The feature gates of the KubeVirt CR (admission reads the CR for nothing else), or undefined where none is given or found. */
  readonly featureGates: () => Promise<FeatureGates>;
}

/** What the cluster can supply; `undefined` for an object that does not exist. */
export interface ClusterReader {
  /** A JSON Patch of the Setting (guarded by the policy's plan). */
  readonly patchSetting: (ops: readonly Operation[]) => Promise<void>;
  readonly setting: () => Promise<unknown>;
  readonly kubevirt: () => Promise<unknown>;
  readonly kubevirtCrd: () => Promise<unknown>;
  readonly migrations: () => Promise<readonly unknown[]>;
}

export interface FileFlags {
  readonly setting?: string | undefined;
  readonly kubevirt?: string | undefined;
  readonly kubevirtCrd?: string | undefined;
  readonly migrations?: string | undefined;
}

export const readSettingFile = async (file: string): Promise<unknown> =>
  expectOne(file, await readDocuments(file), SETTING);

const supportedFromCrd = (where: string, crd: unknown): ReadonlySet<string> => {
  const decoded = decodeSupportedOptions(crd);
  if (E.isLeft(decoded)) throw new InputError(`${where}: ${decoded.left}`);
  return decoded.right;
};

const readKubeVirtFile = async (file: string): Promise<unknown> => expectOne(file, await readDocuments(file), KUBEVIRT);
const readCrd = async (file: string): Promise<unknown> => expectOne(file, await readDocuments(file), CRD);
const readCrdFile = async (file: string): Promise<ReadonlySet<string>> => supportedFromCrd(file, await readCrd(file));
const CLUSTER_CRD = 'CRD kubevirts.kubevirt.io in the cluster';

const required = async (what: string, read: () => Promise<unknown>): Promise<unknown> => {
  const obj = await read();
  if (obj === undefined) throw new InputError(`${what} not found in the cluster`);
  return obj;
};

const noCluster = (flag: string) => async (): Promise<never> => {
  throw new InputError(`${flag} is required when no cluster is used`);
};

/**
 * Inputs from files, falling back to the cluster for each one not given. Without a cluster, the
 * optional inputs have their neutral value (no migrations; every option supported; feature gates
 * not known, so not checked), and the
 * required ones are a usage error naming their flag.
 */
export const inputsFrom = (files: FileFlags, cluster: () => ClusterReader | undefined): Inputs => ({
  setting: async () => {
    if (files.setting !== undefined) return readSettingFile(files.setting);
    const c = cluster();
    return c === undefined ? noCluster('--setting')() : required('Setting kubevirt-migration', c.setting);
  },
  kubevirt: async () => {
    if (files.kubevirt !== undefined) return readKubeVirtFile(files.kubevirt);
    const c = cluster();
    return c === undefined ? noCluster('--kubevirt')() : required('KubeVirt harvester-system/kubevirt', c.kubevirt);
  },
  supportedOptions: async () => {
    if (files.kubevirtCrd !== undefined) return readCrdFile(files.kubevirtCrd);
    const c = cluster();
    if (c === undefined) return undefined;
    const crd = await c.kubevirtCrd();
    return crd === undefined ? undefined : supportedFromCrd(CLUSTER_CRD, crd);
  },
  kubevirtCrd: async () => {
    if (files.kubevirtCrd !== undefined) return { where: files.kubevirtCrd, crd: await readCrd(files.kubevirtCrd) };
    const crd = await cluster()?.kubevirtCrd();
    return crd === undefined ? undefined : { where: CLUSTER_CRD, crd };
  },
  migrations: async () => {
    if (files.migrations !== undefined)
      return expectList(files.migrations, await readDocuments(files.migrations), VMIM);
    const c = cluster();
    return c === undefined ? [] : c.migrations();
  },
  featureGates: async () => {
    if (files.kubevirt !== undefined) return featureGatesOf(await readKubeVirtFile(files.kubevirt));
    const cr = await cluster()?.kubevirt();
    return cr === undefined ? undefined : featureGatesOf(cr);
  },
});
