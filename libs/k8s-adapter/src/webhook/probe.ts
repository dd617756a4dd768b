import { errorMessage } from '@kubevirt-migration/service';

import { isAdapterError } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import { objectPath, SETTINGS } from '../client/kinds.js';

/**
 * What the API server says when asked, as a server-side dry run, to give the Setting a value the
 * webhook always refuses. Only the webhook's own denial proves that it is registered, reachable
 * and trusted: a dry run passes through admission exactly as a write would, and stores nothing.
 */
export type WebhookProbe =
  /** The webhook refused the value: registered, reached, its certificate trusted. */
  | { readonly outcome: 'answered'; readonly message: string }
  /** The API server could not call it (nothing listening, a certificate it does not trust, a timeout). */
  | { readonly outcome: 'unreachable'; readonly message: string }
  /** The value was accepted: no webhook of that name guards the Setting. */
  | { readonly outcome: 'absent'; readonly message: string }
  /** The API server refused the probe itself (no such Setting, no permission): nothing was learnt. */
  | { readonly outcome: 'failed'; readonly message: string };

/** A value every version of the policy refuses (0 parallel migrations: KubeVirt would never migrate). */
export const PROBE_VALUE = '{"parallelMigrationsPerCluster":0}';

/**
 * Classifies the API server's answer. The webhook's name appears only in the API server's message
 * (`admission webhook "<name>" denied the request`, `failed calling webhook "<name>"`): the Status
 * has no field for it, so the message is what is read here.
 */
export const judgeProbe = (
  registration: string,
  answer: { readonly accepted: true } | { readonly error: unknown },
): WebhookProbe => {
  if ('accepted' in answer)
    return {
      outcome: 'absent',
      message: `the API server accepted a value the webhook refuses: no webhook "${registration}" guards the Setting (is the registration there, and does it match the Setting?)`,
    };
  const message = errorMessage(answer.error);
  if (message.includes(`admission webhook "${registration}" denied the request`))
    return { outcome: 'answered', message };
  if (message.includes(`failed calling webhook "${registration}"`)) return { outcome: 'unreachable', message };
  const status = isAdapterError(answer.error) ? answer.error.status : undefined;
  return { outcome: 'failed', message: status === undefined ? message : `${message} (HTTP ${status})` };
};

/** Sends the probe: a server-side dry-run JSON patch of the Setting's value, then classifies the answer. */
export const probeWebhook = async (
  http: KubeHttp,
  registration: string,
  settingName: string,
): Promise<WebhookProbe> => {
  try {
    await http.request(`dry-run patch of Setting ${settingName}`, 'PATCH', objectPath(SETTINGS, settingName), {
      body: [{ op: 'add', path: '/value', value: PROBE_VALUE }],
      contentType: 'application/json-patch+json',
      query: { dryRun: 'All' },
    });
    return judgeProbe(registration, { accepted: true });
  } catch (e) {
    return judgeProbe(registration, { error: e });
  }
};
