import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';

import { errorMessage } from '@kubevirt-migration/service';

import type { KubeObject } from '../client/client.js';
import { isKind } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import { collectionPath, objectPath, SECRETS } from '../client/kinds.js';
import { InformerCache } from '../informer/cache.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { type CertificatePolicy, type CertificateSet, decideCertificates } from './certificates.js';

/** A serving certificate and its key, PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/**
 * Where the webhook's serving certificate comes from, and the CA bundle the API server must trust
 * (for the registration). Both may change while the webhook runs; listeners hear of each change.
 */
export interface ServingCredentials {
  readonly pair: () => KeyPair;
  /** PEM of the CAs to trust; undefined when not known here. */
  readonly caBundle: () => string | undefined;
  readonly onChange: (listener: () => void) => void;
  readonly stop: () => Promise<void>;
}

export interface CredentialEvents {
  /** A change could not be taken up (the credentials in use stay). */
  readonly onError?: (message: string) => void;
  /** New credentials are in use; `reason` says why they changed. */
  readonly onChanged?: (reason: string) => void;
}

/** A pair that TLS accepts (certificate and key match), or an error naming what is wrong. */
const checkPair = (pair: KeyPair): KeyPair => {
  createSecureContext(pair);
  return pair;
};

/**
 * Credentials from files (a mounted Secret of cert-manager, or `npm start`'s PKI), read again when
 * they change. A bad pair is reported and the old one kept.
 */
export const fileCredentials = (
  files: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string },
  events: CredentialEvents = {},
): ServingCredentials => {
  const read = (): { pair: KeyPair; ca: string | undefined } => ({
    pair: checkPair({ cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') }),
    ca: files.caFile === undefined ? undefined : readFileSync(files.caFile, 'utf8'),
  });
  let current = read();
  const listeners: (() => void)[] = [];
  const reload = () => {
    try {
      const next = read();
      if (next.pair.cert === current.pair.cert && next.pair.key === current.pair.key && next.ca === current.ca) return;
      current = next;
      events.onChanged?.('the certificate files changed');
      for (const l of listeners) l();
    } catch (e) {
      events.onError?.(`the certificate files could not be used: ${errorMessage(e)}`);
    }
  };
  const watched = [files.certFile, files.keyFile, ...(files.caFile === undefined ? [] : [files.caFile])];
  for (const f of watched) watchFile(f, { interval: 1000, persistent: false }, reload);
  return {
    pair: () => current.pair,
    caBundle: () => current.ca,
    onChange: (l) => listeners.push(l),
    stop: () => {
      for (const f of watched) unwatchFile(f, reload);
      return Promise.resolve();
    },
  };
};

/** The keys of the Secret the webhook keeps its certificates in. */
const KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  caBundle: 'ca.crt',
  caCert: 'signing-ca.crt',
  caKey: 'signing-ca.key',
} as const;

interface SecretState {
  readonly resourceVersion: string;
  readonly set: CertificateSet | undefined;
}

const decodeSecret = (o: KubeObject): SecretState => {
  const data = (o['data'] ?? {}) as Record<string, unknown>;
  const text = (k: string): string | undefined =>
    typeof data[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : undefined;
  const [cert, key, caBundle, caCert, caKey] = [
    text(KEYS.cert),
    text(KEYS.key),
    text(KEYS.caBundle),
    text(KEYS.caCert),
    text(KEYS.caKey),
  ];
  const resourceVersion = String((o['metadata'] as { resourceVersion?: unknown } | undefined)?.resourceVersion ?? '');
  const complete =
    cert !== undefined && key !== undefined && caBundle !== undefined && caCert !== undefined && caKey !== undefined;
  return {
    resourceVersion,
    set: complete ? { serving: { cert, key }, caBundle, ca: { cert: caCert, key: caKey } } : undefined,
  };
};

const encodeData = (s: CertificateSet): Record<string, string> => {
  const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');
  return {
    [KEYS.cert]: b64(s.serving.cert),
    [KEYS.key]: b64(s.serving.key),
    [KEYS.caBundle]: b64(s.caBundle),
    [KEYS.caCert]: b64(s.ca.cert),
    [KEYS.caKey]: b64(s.ca.key),
  };
};

export interface SecretCredentialsOptions extends CredentialEvents {
  readonly namespace: string;
  readonly name: string;
  readonly policy: CertificatePolicy;
  readonly clock?: Clock;
  /** The longest wait between two checks of the certificates (they are also checked on every change of the Secret). */
  readonly recheckMs?: number;
}

const RETRY_MS = 1000;

const deferred = (): { readonly promise: Promise<void>; readonly resolve: () => void } => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
/** The one key of the work queue: the Secret, looked at as a whole. */
const CHECK = 'certificates';

/**
 * Certificates the webhook makes and rotates itself, kept in one Secret shared by its replicas (as
 * Harvester's dynamiclistener does): every replica watches the Secret and serves what it holds;
 * any replica that finds it empty, unusable or due writes a new set, guarded by resourceVersion, so
 * that concurrent replicas agree on the one that won. Rotation needs no restart.
 */
export class SecretCredentials implements ServingCredentials {
  private readonly cache: InformerCache<SecretState>;
  private readonly clock: Clock;
  private readonly listeners: (() => void)[] = [];
  private current: CertificateSet | undefined;
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  /** One check at a time; a change seen during a check brings one more after it. */
  private readonly queue: WorkQueue;
  /** Wakes start() once certificates are in use, or at stop(). */
  private readonly inUse: { readonly promise: Promise<void>; readonly resolve: () => void };

  constructor(
    private readonly http: KubeHttp,
    private readonly o: SecretCredentialsOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.queue = new WorkQueue({ clock: this.clock });
    this.inUse = deferred();
    this.cache = new InformerCache(http, SECRETS, {
      namespace: o.namespace,
      name: o.name,
      transform: decodeSecret,
      onChange: () => this.queue.add(CHECK),
      onError: (e, retryInMs) =>
        o.onError?.(
          `the certificate Secret ${this.what} could not be watched (retrying in ${retryInMs} ms): ${e.message}`,
        ),
    });
  }

  private get what(): string {
    return `${this.o.namespace}/${this.o.name}`;
  }

  /** Resolves once certificates are in use (made, if the Secret had none). */
  async start(): Promise<void> {
    await this.cache.start();
    void this.queue.run(() => this.check());
    this.queue.add(CHECK);
    await this.inUse.promise;
  }

  pair(): KeyPair {
    if (this.current === undefined) throw new Error(`no certificates yet in Secret ${this.what}`);
    return this.current.serving;
  }

  caBundle(): string | undefined {
    return this.current?.caBundle;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async check(): Promise<void> {
    try {
      const state = this.cache.get(this.o.name, this.o.namespace);
      const decision = decideCertificates(state?.set, this.o.policy, this.clock.date());
      if (decision.action === 'keep' && state?.set !== undefined) {
        this.use(state.set);
        this.schedule(decision.recheckAt - this.clock.date().getTime());
      } else if (decision.action === 'replace') {
        // the write comes back through the watch, and is taken up from there by every replica
        await this.write(state, decision.set, decision.reason);
      }
    } catch (e) {
      this.o.onError?.(`the certificates in Secret ${this.what} could not be checked: ${errorMessage(e)}`);
      this.schedule(RETRY_MS);
    }
  }

  private async write(state: SecretState | undefined, set: CertificateSet, reason: string): Promise<void> {
    try {
      if (state === undefined) {
        const body = {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          type: 'Opaque',
          data: encodeData(set),
        };
        await this.http.request(`create Secret ${this.what}`, 'POST', collectionPath(SECRETS, this.o.namespace), {
          body,
        });
      } else {
        // only the data changes (the chart's labels and annotations stay); the resourceVersion makes it conditional
        const body = { metadata: { resourceVersion: state.resourceVersion }, data: encodeData(set) };
        await this.http.request(
          `update Secret ${this.what}`,
          'PATCH',
          objectPath(SECRETS, this.o.name, this.o.namespace),
          {
            body,
            contentType: 'application/merge-patch+json',
          },
        );
      }
      this.o.onChanged?.(`certificates written to Secret ${this.what}: ${reason}`);
    } catch (e) {
      // another replica wrote first: its set arrives through the watch
      if (isKind(e, 'Conflict', 'AlreadyExists')) return;
      throw e;
    }
  }

  private use(set: CertificateSet): void {
    const before = this.current;
    if (before !== undefined && before.serving.cert === set.serving.cert && before.caBundle === set.caBundle) return;
    try {
      checkPair(set.serving);
    } catch (e) {
      this.o.onError?.(`the certificate in Secret ${this.what} cannot be served: ${errorMessage(e)}`);
      return;
    }
    this.current = set;
    this.inUse.resolve();
    if (before !== undefined) {
      this.o.onChanged?.(`serving the certificates of Secret ${this.what}`);
      for (const l of this.listeners) l();
    }
  }

  private schedule(ms: number): void {
    // a check that was under way when stop() came must not leave a timer behind
    if (this.stopped) return;
    this.cancelTimer?.();
    const wait = Math.max(RETRY_MS, Math.min(ms, this.o.recheckMs ?? 3600_000));
    this.cancelTimer = this.clock.after(wait, () => this.queue.add(CHECK));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.inUse.resolve();
    this.cancelTimer?.();
    // a pass under way finishes by itself; nothing starts after this
    this.queue.shutdown();
    await this.cache.stop();
  }
}
