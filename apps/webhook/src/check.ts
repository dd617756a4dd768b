import { KubeHttp, loadConnection, probeWebhook } from '@kubevirt-migration/k8s-adapter';
import { SETTING_NAME } from '@kubevirt-migration/migration-policy';
import { CLUSTER_FLAGS, type FlagValues, runMain } from '@kubevirt-migration/service';

/**
 * The chart's `helm test`: proves, through the API server, that the webhook guarding the Setting
 * is registered, reachable and trusted (a `Fail` webhook that is none of these refuses every
 * change of the Setting). It runs in the image beside the webhook, under an identity that may
 * only dry-run a patch of the one Setting, and prints one line: the webhook's answer, or the API
 * server's words on why there was none. Exit 0 only when the webhook itself answered.
 */
const FLAGS = {
  ...CLUSTER_FLAGS,
  registration: {
    type: 'string',
    default: 'kubevirt-migration.harvesterhci.io',
    help: 'name of the webhook expected to answer',
    placeholder: 'NAME',
  },
} as const;

const main = async (f: FlagValues<typeof FLAGS>): Promise<void> => {
  const http = new KubeHttp(loadConnection({ kubeconfig: f.kubeconfig, context: f.context }), {
    fieldManager: 'kubevirt-migration-webhook-check',
  });
  try {
    const probe = await probeWebhook(http, f.registration, SETTING_NAME);
    if (probe.outcome !== 'answered') throw new Error(`webhook ${f.registration} ${probe.outcome}: ${probe.message}`);
    process.stdout.write(`webhook ${f.registration} answered through the API server: ${probe.message}\n`);
  } finally {
    http.close();
  }
};

runMain({
  command: 'kubevirt-migration-webhook-check',
  summary:
    'Checks, through the API server, that the kubevirt-migration webhook answers for the Setting (the chart’s helm test).',
  flags: FLAGS,
  main,
});
