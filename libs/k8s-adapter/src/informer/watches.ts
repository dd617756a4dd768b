import {
  decodeSupportedOptions,
  type FeatureGates,
  featureGatesOf,
  isInProgress,
  KUBEVIRT_NAME,
  KUBEVIRT_NAMESPACE,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { KubeObject } from '../client/client.js';
import type { KubeHttp } from '../client/http.js';
import { collectionPath, CRDS, KUBEVIRT_CRD_NAME, KUBEVIRTS, MIGRATIONS } from '../client/kinds.js';
import { type CacheOptions, InformerCache } from './cache.js';

type ErrorHandler = CacheOptions<unknown>['onError'];

/**
 * What admission needs of a VirtualMachineInstanceMigration, and nothing more (the cache keeps
 * this projection, not the object): the fields `isInProgress` reads, and where it is.
 */
export interface MigrationProjection {
  readonly metadata: { readonly namespace: string; readonly name: string; readonly deletionTimestamp?: string };
  readonly status: { readonly phase?: string; readonly migrationState?: { readonly completed: true } };
}

const str = (u: unknown): string | undefined => (typeof u === 'string' ? u : undefined);

const projectMigration = (obj: KubeObject): MigrationProjection => {
  const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  const state = (status['migrationState'] ?? {}) as Record<string, unknown>;
  const deletion = meta['deletionTimestamp'];
  const phase = str(status['phase']);
  return {
    metadata: {
      namespace: str(meta['namespace']) ?? '',
      name: str(meta['name']) ?? '',
      ...(deletion !== undefined && deletion !== null ? { deletionTimestamp: String(deletion) } : {}),
    },
    status: {
      ...(phase === undefined ? {} : { phase }),
      ...(state['completed'] === true ? { migrationState: { completed: true } } : {}),
    },
  };
};

/**
 * The migrations in progress, kept up to date from a cache of every VMIM (projected): admission
 * reads only these, so its cost does not grow with the number of finished migrations.
 */
export class InProgressMigrations {
  private readonly running = new Map<string, MigrationProjection>();
  readonly cache: InformerCache<MigrationProjection>;

  constructor(
    private readonly http: KubeHttp,
    onError?: ErrorHandler,
  ) {
    this.cache = new InformerCache(http, MIGRATIONS, {
      transform: projectMigration,
      onChange: (m, verb) => {
        const key = `${m.metadata.namespace}/${m.metadata.name}`;
        if (verb !== 'delete' && isInProgress(m)) this.running.set(key, m);
        else this.running.delete(key);
      },
      ...(onError === undefined ? {} : { onError }),
    });
  }

  list(): readonly MigrationProjection[] {
    return [...this.running.values()];
  }

  /** The migrations in progress read from the API server itself (a consistent list), not from the cache. */
  async listLive(): Promise<readonly MigrationProjection[]> {
    const list = (await this.http.request('list VirtualMachineInstanceMigrations', 'GET', collectionPath(MIGRATIONS), {
      timeoutMs: 2000,
    })) as {
      items?: unknown;
    };
    const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
    return items.map(projectMigration).filter((m) => isInProgress(m));
  }
}

/**
 * The options the installed KubeVirt CRD lists, reduced to that set on arrival (the CRD itself is
 * half a megabyte). Undefined while the CRD is absent or unreadable: then every option of the
 * table is accepted.
 */
export class SupportedOptionsWatch {
  private current: SupportedOptions;
  readonly cache: InformerCache<SupportedOptions>;

  constructor(http: KubeHttp, o: { readonly onChange?: () => void; readonly onError?: ErrorHandler } = {}) {
    this.cache = new InformerCache(http, CRDS, {
      name: KUBEVIRT_CRD_NAME,
      transform: (obj) => {
        const decoded = decodeSupportedOptions({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          ...obj,
        });
        return E.isRight(decoded) ? decoded.right : undefined;
      },
      onChange: (options, verb) => {
        this.current = verb === 'delete' ? undefined : options;
        o.onChange?.();
      },
      ...(o.onError === undefined ? {} : { onError: o.onError }),
    });
  }

  get options(): SupportedOptions {
    return this.current;
  }
}

/**
 * The feature gates of the KubeVirt CR harvester-system/kubevirt, reduced to that set on arrival
 * (admission reads the CR for nothing else). Undefined while the CR is absent: then the gates are
 * not known and not checked.
 */
export class FeatureGatesWatch {
  private current: FeatureGates;
  readonly cache: InformerCache<FeatureGates>;

  constructor(http: KubeHttp, o: { readonly onError?: ErrorHandler } = {}) {
    this.cache = new InformerCache(http, KUBEVIRTS, {
      namespace: KUBEVIRT_NAMESPACE,
      name: KUBEVIRT_NAME,
      transform: (obj): FeatureGates => featureGatesOf(obj),
      onChange: (gates, verb) => {
        this.current = verb === 'delete' ? undefined : gates;
      },
      ...(o.onError === undefined ? {} : { onError: o.onError }),
    });
  }

  get gates(): FeatureGates {
    return this.current;
  }
}
