import { isKind } from './errors.js';
import type { KubeHttp } from './http.js';
import { collectionPath, objectPath, SETTINGS, WEBHOOK_CONFIGURATIONS } from './kinds.js';

export interface SettingWebhook {
  /** Name of the ValidatingWebhookConfiguration (and of its one webhook). */
  readonly name: string;
  /** The Setting this webhook guards; matchConditions narrow the webhook to it. */
  readonly settingName: string;
  readonly url: string;
  /** PEM of the CA that signed the webhook's serving certificate. */
  readonly caPem: string;
  readonly timeoutSeconds?: number;
}

/**
 * The registration: CREATE and UPDATE of settings.harvesterhci.io, narrowed by matchConditions to
 * the one Setting (other settings never depend on this webhook), failurePolicy Fail,
 * sideEffects None.
 */
const settingWebhookConfiguration = (w: SettingWebhook) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: w.name, labels: { 'app.kubernetes.io/name': 'kubevirt-migration-webhook' } },
  webhooks: [
    {
      name: w.name,
      admissionReviewVersions: ['v1'],
      clientConfig: { url: w.url, caBundle: Buffer.from(w.caPem).toString('base64') },
      rules: [
        { apiGroups: [SETTINGS.group], apiVersions: [SETTINGS.version], resources: [SETTINGS.plural], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' },
      ],
      matchConditions: [{ name: 'only-the-kubevirt-migration-setting', expression: `request.name == ${JSON.stringify(w.settingName)}` }],
      failurePolicy: 'Fail',
      sideEffects: 'None',
      timeoutSeconds: w.timeoutSeconds ?? 5,
      matchPolicy: 'Equivalent',
    },
  ],
});

/** Creates or replaces the registration. */
export const registerSettingWebhook = async (http: KubeHttp, w: SettingWebhook): Promise<void> => {
  const body = settingWebhookConfiguration(w);
  const what = `ValidatingWebhookConfiguration ${w.name}`;
  try {
    await http.request(`create ${what}`, 'POST', collectionPath(WEBHOOK_CONFIGURATIONS), { body });
  } catch (e) {
    if (!isKind(e, 'AlreadyExists')) throw e;
    const current = (await http.request(`read ${what}`, 'GET', objectPath(WEBHOOK_CONFIGURATIONS, w.name))) as { metadata?: { resourceVersion?: string } };
    const replacement = { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' } };
    await http.request(`replace ${what}`, 'PUT', objectPath(WEBHOOK_CONFIGURATIONS, w.name), { body: replacement });
  }
};

/** Removes the registration (before the webhook stops: with failurePolicy Fail it would block the Setting). */
export const unregisterWebhook = async (http: KubeHttp, name: string): Promise<void> => {
  try {
    await http.request(`delete ValidatingWebhookConfiguration ${name}`, 'DELETE', objectPath(WEBHOOK_CONFIGURATIONS, name));
  } catch (e) {
    if (!isKind(e, 'NotFound')) throw e;
  }
};
