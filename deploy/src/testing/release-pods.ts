import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { testKubeConfig, until } from '@kubevirt-migration/control-plane/testing';

/** The release the node's global setup installed: its names, and its pods. */
export const NAMESPACE = 'kubevirt-migration';
export const RELEASE = 'kubevirt-migration';
/** The chart's ValidatingWebhookConfiguration (and its one webhook). */
export const WEBHOOK = 'kubevirt-migration.harvesterhci.io';
/** The webhook's Service. */
export const WEBHOOK_SERVICE = 'kubevirt-migration-webhook';

export type Component = 'controller' | 'webhook';

const core = (): CoreV1Api => testKubeConfig().makeApiClient(CoreV1Api);

/** The component's pods, not being deleted. */
export const podsOf = async (component: Component): Promise<V1Pod[]> =>
  (
    await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${component}` })
  ).items.filter((p) => p.metadata?.deletionTimestamp === undefined);

const isReady = (p: V1Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const readyCount = async (component: Component): Promise<number> => (await podsOf(component)).filter(isReady).length;

/** Waits until both replicas of each component are Ready (what every test of the node starts from and leaves). */
export const allReady = (): Promise<boolean> =>
  until(
    'the release’s four pods Ready',
    async () => (await readyCount('webhook')) === 2 && (await readyCount('controller')) === 2,
    120000,
  );
