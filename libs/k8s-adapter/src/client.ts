import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { KUBEVIRT_NAME, KUBEVIRT_NAMESPACE, type Operation } from '@kubevirt-migration/migration-policy';
import { attempt, orAbsent } from './errors.js';
import { CRDS, KUBEVIRT_CRD_NAME, KUBEVIRTS, MIGRATIONS, SETTINGS } from './kinds.js';

/** Objects as the API server returns them; the policy decodes them. */
export type KubeObject = Record<string, unknown>;

const asObject = (v: unknown): KubeObject => (typeof v === 'object' && v !== null ? (v as KubeObject) : {});

/**
 * Typed access to the three kinds this project touches and the KubeVirt CRD. Every call maps its
 * errors to AdapterError; reads of a single object give undefined when it does not exist; every
 * write carries the field manager.
 */
export class KubeClient {
  private readonly custom: CustomObjectsApi;

  constructor(
    config: KubeConfig,
    private readonly fieldManager: string,
  ) {
    this.custom = config.makeApiClient(CustomObjectsApi);
  }

  getSetting(name: string): Promise<KubeObject | undefined> {
    return orAbsent(`get Setting ${name}`, async () => asObject(await this.custom.getClusterCustomObject({ ...SETTINGS, name })));
  }

  getKubeVirt(): Promise<KubeObject | undefined> {
    return orAbsent(`get KubeVirt ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME}`, async () =>
      asObject(await this.custom.getNamespacedCustomObject({ ...KUBEVIRTS, namespace: KUBEVIRT_NAMESPACE, name: KUBEVIRT_NAME })),
    );
  }

  getKubeVirtCrd(): Promise<KubeObject | undefined> {
    return orAbsent(`get CRD ${KUBEVIRT_CRD_NAME}`, async () => asObject(await this.custom.getClusterCustomObject({ ...CRDS, name: KUBEVIRT_CRD_NAME })));
  }

  async listMigrations(): Promise<readonly KubeObject[]> {
    const list = await attempt('list VirtualMachineInstanceMigrations', () =>
      this.custom.listCustomObjectForAllNamespaces({ group: MIGRATIONS.group, version: MIGRATIONS.version, resourcePlural: MIGRATIONS.plural }),
    );
    const items = asObject(list)['items'];
    return Array.isArray(items) ? items.map(asObject) : [];
  }

  /** A JSON Patch (RFC 6902) of the KubeVirt CR; a failed `test` comes back as TestFailed. */
  patchKubeVirt(ops: readonly Operation[]): Promise<KubeObject> {
    return attempt(`patch KubeVirt ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME}`, async () =>
      asObject(
        await this.custom.patchNamespacedCustomObject(
          { ...KUBEVIRTS, namespace: KUBEVIRT_NAMESPACE, name: KUBEVIRT_NAME, body: [...ops], fieldManager: this.fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
      ),
    );
  }

  /** A JSON Patch of a Setting (it has no status subresource: status is patched here too). */
  patchSetting(name: string, ops: readonly Operation[]): Promise<KubeObject> {
    return attempt(`patch Setting ${name}`, async () =>
      asObject(
        await this.custom.patchClusterCustomObject(
          { ...SETTINGS, name, body: [...ops], fieldManager: this.fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
      ),
    );
  }
}
