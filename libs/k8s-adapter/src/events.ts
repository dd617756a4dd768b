import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { attempt } from './errors.js';

export interface EventNotice {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Events of a cluster-scoped object live in the namespace `default`, as kubectl describe looks for them. */
const EVENT_NAMESPACE = 'default';

/** Records Kubernetes Events about one object (core/v1, as `kubectl describe` shows them). */
export class EventRecorder {
  private readonly core: CoreV1Api;

  constructor(
    config: KubeConfig,
    private readonly component: string,
  ) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  async record(involved: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid?: string }, notice: EventNotice, now: Date = new Date()): Promise<void> {
    await attempt(`record event ${notice.reason}`, () =>
      this.core.createNamespacedEvent({
        namespace: EVENT_NAMESPACE,
        body: {
          metadata: { name: `${involved.name}.${now.getTime().toString(16)}${randomBytes(4).toString('hex')}`, namespace: EVENT_NAMESPACE },
          involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.name, ...(involved.uid === undefined ? {} : { uid: involved.uid }) },
          type: notice.type,
          reason: notice.reason,
          message: notice.message.slice(0, 1024),
          source: { component: this.component },
          reportingComponent: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      }),
    );
  }
}
