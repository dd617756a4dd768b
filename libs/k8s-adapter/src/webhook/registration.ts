import { isDeepStrictEqual } from 'node:util';

import { errorMessage } from '@kubevirt-migration/service';

import type { KubeObject } from '../client/client.js';
import { isKind, orAbsent } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import { collectionPath, DEPLOYMENTS, objectPath, SETTINGS, WEBHOOK_CONFIGURATIONS } from '../client/kinds.js';
import { InformerCache } from '../informer/cache.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { WorkQueue } from '../runtime/workqueue.js';

/** How the API server reaches the webhook: a Service in the cluster, or a URL. */
export type WebhookEndpoint =
  | {
      readonly service: {
        readonly namespace: string;
        readonly name: string;
        readonly port: number;
        readonly path: string;
      };
    }
  | { readonly url: string };

export interface RegistrationSpec {
  /** Name of the ValidatingWebhookConfiguration and of its one webhook. */
  readonly name: string;
  /** The Setting this webhook guards; matchConditions narrow the webhook to it. */
  readonly settingName: string;
  readonly endpoint: WebhookEndpoint;
  readonly timeoutSeconds: number;
  /**
   * cert-manager's CA injector fills caBundle from this Certificate (namespace/name): the webhook
   * then leaves caBundle alone and only keeps the annotation.
   */
  readonly injectCaFrom?: string;
}

const INJECT_CA_ANNOTATION = 'cert-manager.io/inject-ca-from';

/**
 * The webhook as registered: CREATE and UPDATE of settings.harvesterhci.io narrowed by
 * matchConditions to the one Setting (no other Setting ever depends on this webhook), failurePolicy
 * Fail, sideEffects None, every defaulted field written out so that a change of any is seen.
 */
const desiredWebhook = (spec: RegistrationSpec, caBundle: string | undefined): Record<string, unknown> => ({
  name: spec.name,
  admissionReviewVersions: ['v1'],
  clientConfig: {
    ...('url' in spec.endpoint ? { url: spec.endpoint.url } : { service: spec.endpoint.service }),
    ...(caBundle === undefined ? {} : { caBundle: Buffer.from(caBundle).toString('base64') }),
  },
  rules: [
    {
      apiGroups: [SETTINGS.group],
      apiVersions: [SETTINGS.version],
      resources: [SETTINGS.plural],
      operations: ['CREATE', 'UPDATE'],
      scope: 'Cluster',
    },
  ],
  matchConditions: [
    { name: 'only-the-kubevirt-migration-setting', expression: `request.name == ${JSON.stringify(spec.settingName)}` },
  ],
  failurePolicy: 'Fail',
  sideEffects: 'None',
  timeoutSeconds: spec.timeoutSeconds,
  matchPolicy: 'Equivalent',
  namespaceSelector: {},
  objectSelector: {},
});

/** The drift of a registration whose caBundle has not yet followed a new serving CA: expected, not a repair. */
const CA_BUNDLE_BEHIND = 'caBundle is not the serving CA bundle';

/**
 * How the registration differs from what it must be (undefined: it does not). Fields the API
 * server adds are ignored; a second webhook, a selector, or any changed field is a difference.
 * caBundle is compared only when the webhook manages it.
 */
export const registrationDrift = (
  spec: RegistrationSpec,
  caBundle: string | undefined,
  actual: KubeObject,
): string | undefined => {
  const webhooks = Array.isArray(actual['webhooks']) ? (actual['webhooks'] as Record<string, unknown>[]) : [];
  if (webhooks.length !== 1) return `it has ${webhooks.length} webhooks instead of 1`;
  const want = desiredWebhook(spec, caBundle);
  const have = webhooks[0] ?? {};
  for (const [field, value] of Object.entries(want)) {
    if (field === 'clientConfig') {
      const { caBundle: gotBundle, ...got } = (have[field] ?? {}) as Record<string, unknown>;
      const { caBundle: wantedBundle, ...wanted } = value as Record<string, unknown>;
      if (!isDeepStrictEqual(got, wanted)) return 'clientConfig changed';
      if (caBundle !== undefined && gotBundle !== wantedBundle) return CA_BUNDLE_BEHIND;
    } else if (!isDeepStrictEqual(have[field], value)) return `${field} changed`;
  }
  const annotations = ((actual['metadata'] as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})[
    INJECT_CA_ANNOTATION
  ];
  if (spec.injectCaFrom !== undefined && annotations !== spec.injectCaFrom)
    return `annotation ${INJECT_CA_ANNOTATION} changed`;
  return undefined;
};

interface RegistrationEvents {
  readonly onRepaired?: (what: string) => void;
  /** caBundle was updated to follow the serving CA (a rotation, not a repair). */
  readonly onCaBundleUpdated?: () => void;
  readonly onError?: (message: string) => void;
  /** The registration is gone and so is the release: it is not created again. */
  readonly onReleaseGone?: () => void;
}

export interface ReleaseCheck {
  /** Whether the release the webhook belongs to is being removed (see `deploymentGone`). */
  readonly gone: () => Promise<boolean>;
  /**
   * How long a deletion is left alone before the release is looked at: `helm uninstall` deletes
   * the registration first and the Deployment a moment later.
   */
  readonly delayMs: number;
}

/** What a RegistrationKeeper keeps, and whom it tells. */
export interface RegistrationKeeperOptions extends RegistrationEvents {
  readonly spec: RegistrationSpec;
  /** The CA bundle to register (ignored with injectCaFrom). */
  readonly caBundle: () => string | undefined;
  /** With it, a deleted registration is created again only while the release is still there. */
  readonly release?: ReleaseCheck;
  readonly clock?: Clock;
}

const RETRY_MS = 1000;
/** The one key of the work queue: the registration, looked at as a whole. */
const RECONCILE = 'registration';

/**
 * Keeps the ValidatingWebhookConfiguration as it must be: created when missing (again after a
 * deletion), restored when altered, caBundle following the serving CA. It watches the one object
 * by name and acts on each change; replicas that act at once are kept apart by resourceVersion.
 * A re-created object keeps the labels and annotations last seen (Helm's ownership among them).
 */
export class RegistrationKeeper {
  private readonly cache: InformerCache<KubeObject>;
  private readonly clock: Clock;
  private metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};
  private stopped = false;
  /** One reconcile at a time; a change seen during one brings one more after it. */
  private readonly queue: WorkQueue;

  private readonly spec: RegistrationSpec;
  private readonly caBundle: () => string | undefined;
  private readonly release: ReleaseCheck | undefined;

  constructor(
    private readonly http: KubeHttp,
    private readonly o: RegistrationKeeperOptions,
  ) {
    this.spec = o.spec;
    this.caBundle = o.caBundle;
    this.release = o.release;
    this.clock = o.clock ?? systemClock;
    this.queue = new WorkQueue({ clock: this.clock });
    const name = this.spec.name;
    this.cache = new InformerCache(http, WEBHOOK_CONFIGURATIONS, {
      name,
      transform: (o) => o,
      onChange: () => this.refresh(),
      onError: (e, retryInMs) =>
        o.onError?.(`the registration ${name} could not be watched (retrying in ${retryInMs} ms): ${e.message}`),
    });
  }

  /** Resolves once the registration is as it must be (or the first attempt failed and a retry is scheduled). */
  async start(): Promise<void> {
    await this.cache.start();
    await this.cache.whenFresh();
    await this.reconcile();
    void this.queue.run(() => this.reconcile());
  }

  /** Looks again (the CA bundle changed, say). */
  refresh(): void {
    this.queue.add(RECONCILE);
  }

  private managedBundle(): string | undefined {
    return this.spec.injectCaFrom === undefined ? this.caBundle() : undefined;
  }

  private body(resourceVersion?: string): Record<string, unknown> {
    const annotations = {
      ...this.metadata.annotations,
      ...(this.spec.injectCaFrom === undefined ? {} : { [INJECT_CA_ANNOTATION]: this.spec.injectCaFrom }),
    };
    return {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: {
        name: this.spec.name,
        labels: { 'app.kubernetes.io/name': 'kubevirt-migration-webhook', ...this.metadata.labels },
        annotations,
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
      },
      // with cert-manager, the injected bundle is kept as it is; a re-created object starts with the one known here
      webhooks: [desiredWebhook(this.spec, this.managedBundle() ?? this.currentBundle() ?? this.caBundle())],
    };
  }

  private currentBundle(): string | undefined {
    const o = this.cache.get(this.spec.name);
    const hooks = (o?.['webhooks'] ?? []) as { clientConfig?: { caBundle?: string } }[];
    const b64 = hooks[0]?.clientConfig?.caBundle;
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    if (!this.cache.fresh) {
      // what the cache holds may be old: look again once it is current
      this.queue.addAfter(RECONCILE, 100);
      return;
    }
    const what = `ValidatingWebhookConfiguration ${this.spec.name}`;
    try {
      const actual = this.cache.get(this.spec.name);
      if (actual === undefined) await this.createMissing(what);
      else await this.restoreDrift(what, actual);
    } catch (e) {
      // a replica that acted at the same time: what it wrote comes back through the watch
      if (!isKind(e, 'Conflict', 'AlreadyExists', 'NotFound')) {
        this.o.onError?.(`${what} could not be kept (retrying in ${RETRY_MS} ms): ${errorMessage(e)}`);
        this.queue.addAfter(RECONCILE, RETRY_MS);
      }
    }
  }

  /** Creates the missing registration, unless the release it belongs to is going away. */
  private async createMissing(what: string): Promise<void> {
    if (this.release !== undefined && (await this.releaseGone(this.release))) {
      this.o.onReleaseGone?.();
      return;
    }
    await this.http.request(`create ${what}`, 'POST', collectionPath(WEBHOOK_CONFIGURATIONS), { body: this.body() });
    this.o.onRepaired?.(`${what} was missing: created`);
  }

  /** Keeps the registration's labels and annotations, and writes it back when it drifted from the spec. */
  private async restoreDrift(what: string, actual: KubeObject): Promise<void> {
    const meta = (actual['metadata'] ?? {}) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      resourceVersion?: string;
    };
    this.metadata = {
      ...(meta.labels === undefined ? {} : { labels: meta.labels }),
      ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
    };
    const drift = registrationDrift(this.spec, this.managedBundle(), actual);
    if (drift === undefined) return;
    await this.http.request(`update ${what}`, 'PUT', objectPath(WEBHOOK_CONFIGURATIONS, this.spec.name), {
      body: this.body(meta.resourceVersion),
    });
    if (drift === CA_BUNDLE_BEHIND) this.o.onCaBundleUpdated?.();
    else this.o.onRepaired?.(`${what} had changed (${drift}): restored`);
  }

  /** After the delay: still missing, and the release gone (or this identity revoked with it)? */
  private async releaseGone(release: ReleaseCheck): Promise<boolean> {
    await this.clock.sleep(release.delayMs);
    if (this.stopped || this.cache.get(this.spec.name) !== undefined) return true;
    try {
      return await release.gone();
    } catch (e) {
      // the release's RBAC is deleted with it: a refusal means it is going away
      if (isKind(e, 'Forbidden', 'Unauthorized')) return true;
      throw e;
    }
  }

  /** Stops keeping it (first thing at shutdown, so that an uninstall is not undone). */
  async stop(): Promise<void> {
    this.stopped = true;
    // a pass under way finishes by itself; nothing starts after this
    this.queue.shutdown();
    await this.cache.stop();
  }
}

/** Removes the registration (before a lone webhook stops: with failurePolicy Fail it would block the Setting). */
export const removeRegistration = async (http: KubeHttp, name: string): Promise<void> => {
  try {
    await http.request(
      `delete ValidatingWebhookConfiguration ${name}`,
      'DELETE',
      objectPath(WEBHOOK_CONFIGURATIONS, name),
    );
  } catch (e) {
    if (!isKind(e, 'NotFound')) throw e;
  }
};

/**
 * Whether the release is going away: the webhook's Deployment is gone or being deleted (`helm
 * uninstall`), as opposed to a pod restarting or a rolling update, which keep the registration.
 */
export const deploymentGone = async (http: KubeHttp, namespace: string, name: string): Promise<boolean> => {
  const d = (await orAbsent(() =>
    http.request(`get Deployment ${namespace}/${name}`, 'GET', objectPath(DEPLOYMENTS, name, namespace)),
  )) as { metadata?: { deletionTimestamp?: string } } | undefined;
  return d === undefined || d.metadata?.deletionTimestamp !== undefined;
};
