import { applyPatch, HARVESTER_DEFAULT, type Notice, type Operation } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { KubeObject } from '../client/client.js';
import { AdapterError } from '../client/errors.js';
import type { ControllerCaches, ControllerClient } from '../controller/controller.js';

/** Objects as the API server holds them, for the unit specs of the adapter. */
export const settingObject = (
  value: string | undefined,
  extra: { annotations?: Record<string, string>; status?: unknown; resourceVersion?: string } = {},
): KubeObject => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: {
    name: 'kubevirt-migration',
    uid: 'u-1',
    resourceVersion: extra.resourceVersion ?? '10',
    ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }),
  },
  default: HARVESTER_DEFAULT,
  ...(value === undefined ? {} : { value }),
  ...(extra.status === undefined ? {} : { status: extra.status }),
});

export const kubevirtObject = (migrations?: Record<string, unknown>, resourceVersion = '20'): KubeObject => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'KubeVirt',
  metadata: { name: 'kubevirt', namespace: 'harvester-system', resourceVersion },
  spec: { configuration: { ...(migrations === undefined ? {} : { migrations }) } },
});

/** One thing a pass did, in the order it did it. */
export type Write =
  | { readonly write: 'PatchKubeVirt'; readonly patch: readonly Operation[] }
  | { readonly write: 'PatchSetting'; readonly patch: readonly Operation[] }
  | { readonly write: 'Event'; readonly type: string; readonly reason: string; readonly message: string };

export const conflict = (what: string): AdapterError =>
  new AdapterError('Conflict', `${what}: the object has been modified`, { status: 409, reason: 'Conflict' });
export const testFailed = (what: string): AdapterError =>
  new AdapterError('TestFailed', `${what}: the server rejected our request due to an error in our request`, {
    status: 422,
    reason: 'Invalid',
  });
export const unavailable = (what: string, retryAfterMs?: number): AdapterError =>
  new AdapterError(
    'Unavailable',
    `${what}: API server unreachable (ECONNREFUSED)`,
    retryAfterMs === undefined ? {} : { status: 429, retryAfterMs },
  );

/**
 * A cluster in memory that records every write: the caches and the fresh reads see the same objects
 * (or the caches lag, when a spec says so), and a write can be made to fail once.
 */
export class RecordingCluster {
  setting: KubeObject | undefined;
  kubevirt: KubeObject | undefined;
  /** What the caches hold; the same objects as the API server unless a spec makes them lag. */
  cachedSetting: KubeObject | undefined;
  cachedKubevirt: KubeObject | undefined;
  readonly writes: Write[] = [];
  readonly reads: ('setting' | 'kubevirt')[] = [];
  /** Errors the next writes throw, in order (undefined: succeed). */
  readonly failures: (AdapterError | undefined)[] = [];
  /** Errors the next events throw. */
  readonly eventFailures: Error[] = [];
  private rv = 100;

  constructor(setting: KubeObject | undefined, kubevirt: KubeObject | undefined) {
    this.setting = setting;
    this.kubevirt = kubevirt;
    this.cachedSetting = setting;
    this.cachedKubevirt = kubevirt;
  }

  /** Both caches catch up with the API server. */
  sync(): void {
    this.cachedSetting = this.setting;
    this.cachedKubevirt = this.kubevirt;
  }

  /** The object with the patch applied as the API server would (a failed test: TestFailed), and a new resourceVersion. */
  private patched(obj: KubeObject | undefined, patch: readonly Operation[], what: string): KubeObject {
    const r = applyPatch(obj, patch);
    if (E.isLeft(r) || r.right === undefined) throw testFailed(`patch ${what}`);
    this.rv++;
    const meta = (r.right['metadata'] ?? {}) as Record<string, unknown>;
    return { ...r.right, metadata: { ...meta, resourceVersion: String(this.rv) } };
  }

  /** Another writer changes the CR in the API server (the caches do not see it yet). */
  edit(patch: readonly Operation[]): void {
    this.kubevirt = this.patched(this.kubevirt, patch, 'KubeVirt');
  }

  readonly caches: ControllerCaches = {
    setting: () => this.cachedSetting,
    kubevirt: () => this.cachedKubevirt,
    supportedOptions: () => undefined,
  };

  readonly client: ControllerClient = {
    getSetting: async () => {
      this.reads.push('setting');
      return this.setting;
    },
    getKubeVirt: async () => {
      this.reads.push('kubevirt');
      return this.kubevirt;
    },
    patchKubeVirt: async (patch) => {
      this.writes.push({ write: 'PatchKubeVirt', patch });
      const failure = this.failures.shift();
      if (failure !== undefined) throw failure;
      this.kubevirt = this.patched(this.kubevirt, patch, 'KubeVirt');
      return this.kubevirt;
    },
    patchSetting: async (patch) => {
      this.writes.push({ write: 'PatchSetting', patch });
      const failure = this.failures.shift();
      if (failure !== undefined) throw failure;
      this.setting = this.patched(this.setting, patch, 'Setting');
      return this.setting;
    },
    event: async (_setting: unknown, n: Notice) => {
      this.writes.push({ write: 'Event', type: n.type, reason: n.reason, message: n.message });
      const failure = this.eventFailures.shift();
      if (failure !== undefined) throw failure;
    },
  };

  /** The kinds of the writes, for specs that assert only the order. */
  get kinds(): string[] {
    return this.writes.map((w) => (w.write === 'Event' ? `Event ${w.reason}` : w.write));
  }
}
