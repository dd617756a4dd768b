import * as E from 'fp-ts/lib/Either.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { decodeSupportedOptions, isInProgress, type SupportedOptions } from '@kubevirt-migration/migration-policy';
import { InformerCache, type CacheOptions } from './cache.js';
import { CRDS, KUBEVIRT_CRD_NAME, MIGRATIONS } from './kinds.js';
import type { KubeObject } from './client.js';

type ErrorHandler = CacheOptions['onError'];

const keyOf = (o: KubeObject): string => {
  const m = (o['metadata'] ?? {}) as { namespace?: string; name?: string };
  return `${m.namespace ?? ''}/${m.name ?? ''}`;
};

/**
 * The migrations in progress, kept up to date from a cache of every VMIM: admission reads only
 * these, so its cost does not grow with the number of finished migrations.
 */
export class InProgressMigrations {
  private readonly running = new Map<string, KubeObject>();
  readonly cache: InformerCache;

  constructor(config: KubeConfig, onError?: ErrorHandler) {
    this.cache = new InformerCache(config, MIGRATIONS, {
      onChange: (obj, verb) => {
        if (verb !== 'delete' && isInProgress(obj)) this.running.set(keyOf(obj), obj);
        else this.running.delete(keyOf(obj));
      },
      ...(onError === undefined ? {} : { onError }),
    });
  }

  list(): readonly KubeObject[] {
    return [...this.running.values()];
  }
}

/**
 * The options the installed KubeVirt CRD lists, from a cache of that one CRD. Undefined while the
 * CRD is absent or unreadable: then every option of the table is accepted.
 */
export class SupportedOptionsWatch {
  private current: SupportedOptions;
  readonly cache: InformerCache;

  constructor(config: KubeConfig, o: { readonly onChange?: () => void; readonly onError?: ErrorHandler } = {}) {
    this.cache = new InformerCache(config, CRDS, {
      name: KUBEVIRT_CRD_NAME,
      clusterScoped: true,
      onChange: (obj, verb) => {
        const decoded =
          verb === 'delete' ? E.left('deleted') : decodeSupportedOptions({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...obj });
        this.current = E.isRight(decoded) ? decoded.right : undefined;
        o.onChange?.();
      },
      ...(o.onError === undefined ? {} : { onError: o.onError }),
    });
  }

  get options(): SupportedOptions {
    return this.current;
  }
}
