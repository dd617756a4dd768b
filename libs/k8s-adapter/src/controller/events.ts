import { randomBytes } from 'node:crypto';

import type { Notice } from '@kubevirt-migration/migration-policy';

import { isKind } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import type { CustomKind } from '../client/kinds.js';
import { collectionPath, EVENTS, objectPath } from '../client/kinds.js';
import { type Clock, systemClock } from '../runtime/clock.js';

/** Events of a cluster-scoped object live in the namespace `default`, as kubectl describe looks for them. */
const EVENT_NAMESPACE = 'default';
/** Longest message kept (the API server's limit is larger; kubectl shows less). */
const MAX_MESSAGE = 1024;

/** Writes Event objects; errors are AdapterErrors. */
export interface EventSink {
  readonly create: (event: CoreEvent) => Promise<void>;
  /** Raises the count of an existing Event; fails with NotFound when it is gone. */
  readonly bump: (name: string, count: number, lastTimestamp: Date) => Promise<void>;
}

export interface CoreEvent {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly uid?: string;
  };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source: { readonly component: string };
  readonly reportingComponent: string;
  readonly firstTimestamp: Date;
  readonly lastTimestamp: Date;
  readonly count: number;
}

export interface EventRecorderOptions {
  readonly component: string;
  readonly clock?: Clock;
  /** Events an object may get at once, and how often one more is allowed (client-go: 25, one per 5 minutes). */
  readonly burst?: number;
  readonly refillMs?: number;
  /** Distinct events remembered for aggregation (client-go: 4096). */
  readonly remembered?: number;
}

/** What happened to one notice. */
export type RecordResult = 'created' | 'counted' | 'dropped';

/**
 * Records Kubernetes Events (core/v1, as `kubectl describe` shows them) like client-go's recorder:
 * the same event again (same object, type, reason and message) raises the count of the one Event
 * object instead of creating another, and a token bucket per object bounds how many are written, so
 * a fight over the CR cannot flood the cluster with Events.
 */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly seen = new Map<string, { name: string; count: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly sink: EventSink,
    private readonly o: EventRecorderOptions,
  ) {
    this.clock = o.clock ?? systemClock;
  }

  private allow(object: string): boolean {
    const burst = this.o.burst ?? 25;
    const refill = this.o.refillMs ?? 300000;
    const now = this.clock.now();
    const b = this.buckets.get(object) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, b.tokens + (now - b.at) / refill);
    if (tokens < 1) {
      this.buckets.set(object, { tokens, at: now });
      return false;
    }
    this.buckets.set(object, { tokens: tokens - 1, at: now });
    return true;
  }

  private remember(key: string, value: { name: string; count: number }): void {
    this.seen.delete(key);
    this.seen.set(key, value);
    if (this.seen.size > (this.o.remembered ?? 4096)) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  /** Records `notice` about `obj` (an object of `kind`); throws AdapterError when the API server refuses. */
  async record(kind: CustomKind, obj: unknown, notice: Notice): Promise<RecordResult> {
    const meta =
      (typeof obj === 'object' && obj !== null
        ? (obj as { metadata?: { name?: unknown; uid?: unknown } }).metadata
        : undefined) ?? {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const uid = typeof meta.uid === 'string' ? meta.uid : undefined;
    const message = notice.message.slice(0, MAX_MESSAGE);
    const object = `${kind.group}/${kind.kind}/${name}/${uid ?? ''}`;
    if (!this.allow(object)) return 'dropped';
    const key = JSON.stringify([object, notice.type, notice.reason, message]);
    const now = this.clock.date();
    const known = this.seen.get(key);
    if (known !== undefined) {
      try {
        await this.sink.bump(known.name, known.count + 1, now);
        this.remember(key, { name: known.name, count: known.count + 1 });
        return 'counted';
      } catch (e) {
        if (!isKind(e, 'NotFound')) throw e;
      }
    }
    const eventName = `${name}.${now.getTime().toString(16)}${randomBytes(4).toString('hex')}`;
    await this.sink.create({
      metadata: { name: eventName, namespace: EVENT_NAMESPACE },
      involvedObject: {
        apiVersion: `${kind.group}/${kind.version}`,
        kind: kind.kind,
        name,
        ...(uid === undefined ? {} : { uid }),
      },
      type: notice.type,
      reason: notice.reason,
      message,
      source: { component: this.o.component },
      reportingComponent: this.o.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.remember(key, { name: eventName, count: 1 });
    return 'created';
  }
}

/** Events in the API server, in the namespace `default`. */
export const apiEventSink = (http: KubeHttp): EventSink => ({
  create: async (event) => {
    await http.request(`create Event ${event.reason}`, 'POST', collectionPath(EVENTS, EVENT_NAMESPACE), {
      body: event,
    });
  },
  bump: async (name, count, lastTimestamp) => {
    await http.request(`update Event ${name}`, 'PATCH', objectPath(EVENTS, name, EVENT_NAMESPACE), {
      body: { count, lastTimestamp },
      contentType: 'application/merge-patch+json',
    });
  },
});
