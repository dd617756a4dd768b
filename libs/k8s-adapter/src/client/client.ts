import { KUBEVIRT_NAME, KUBEVIRT_NAMESPACE, type Operation } from '@kubevirt-migration/migration-policy';

import { orAbsent } from './errors.js';
import type { KubeHttp } from './http.js';
import {
  collectionPath,
  CRDS,
  type CustomKind,
  KUBEVIRT_CRD_NAME,
  KUBEVIRTS,
  MIGRATIONS,
  objectPath,
  SETTINGS,
} from './kinds.js';

/** Objects as the API server returns them; the policy decodes them. */
export type KubeObject = Record<string, unknown>;

const asObject = (v: unknown): KubeObject => (typeof v === 'object' && v !== null ? (v as KubeObject) : {});

/**
 * Typed access to the three kinds this project touches and the KubeVirt CRD. Every call maps its
 * errors to AdapterError; reads of a single object give undefined when it does not exist; every
 * write carries the field manager.
 */
export class KubeClient {
  constructor(
    private readonly http: KubeHttp,
    private readonly fieldManager: string,
  ) {}

  async getSetting(name: string): Promise<KubeObject | undefined> {
    const obj = await orAbsent(() => this.http.request(`get Setting ${name}`, 'GET', objectPath(SETTINGS, name)));
    return obj === undefined ? undefined : asObject(obj);
  }

  async getKubeVirt(): Promise<KubeObject | undefined> {
    const what = `get KubeVirt ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME}`;
    const obj = await orAbsent(() =>
      this.http.request(what, 'GET', objectPath(KUBEVIRTS, KUBEVIRT_NAME, KUBEVIRT_NAMESPACE)),
    );
    return obj === undefined ? undefined : asObject(obj);
  }

  async getKubeVirtCrd(): Promise<KubeObject | undefined> {
    const what = `get CRD ${KUBEVIRT_CRD_NAME}`;
    const obj = await orAbsent(() => this.http.request(what, 'GET', objectPath(CRDS, KUBEVIRT_CRD_NAME)));
    return obj === undefined ? undefined : asObject(obj);
  }

  async listMigrations(): Promise<readonly KubeObject[]> {
    const list = asObject(
      await this.http.request('list VirtualMachineInstanceMigrations', 'GET', collectionPath(MIGRATIONS)),
    );
    const items = list['items'];
    return Array.isArray(items) ? items.map(asObject) : [];
  }

  /** One object of any kind, or undefined when it does not exist (the CLI's per-VMI reads). */
  async getObject(kind: CustomKind, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const what = `get ${kind.kind} ${namespace === undefined ? name : `${namespace}/${name}`}`;
    const obj = await orAbsent(() => this.http.request(what, 'GET', objectPath(kind, name, namespace)));
    return obj === undefined ? undefined : asObject(obj);
  }

  /** Every object of a kind, in all namespaces. */
  async listObjects(kind: CustomKind): Promise<readonly KubeObject[]> {
    const list = asObject(await this.http.request(`list ${kind.plural}`, 'GET', collectionPath(kind)));
    const items = list['items'];
    return Array.isArray(items) ? items.map(asObject) : [];
  }

  /** A JSON Patch (RFC 6902) of the KubeVirt CR; a failed `test` comes back as TestFailed. */
  async patchKubeVirt(ops: readonly Operation[]): Promise<KubeObject> {
    const what = `patch KubeVirt ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME}`;
    return asObject(
      await this.http.request(what, 'PATCH', objectPath(KUBEVIRTS, KUBEVIRT_NAME, KUBEVIRT_NAMESPACE), {
        body: ops,
        contentType: 'application/json-patch+json',
        query: { fieldManager: this.fieldManager },
      }),
    );
  }

  /** A JSON Patch of a Setting (it has no status subresource: status is patched here too). */
  async patchSetting(name: string, ops: readonly Operation[]): Promise<KubeObject> {
    return asObject(
      await this.http.request(`patch Setting ${name}`, 'PATCH', objectPath(SETTINGS, name), {
        body: ops,
        contentType: 'application/json-patch+json',
        query: { fieldManager: this.fieldManager },
      }),
    );
  }
}
