import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { CoreV1Api } from '@kubernetes/client-node';
import { type ManagedProcess, startController } from '@kubevirt-migration/control-plane';
import {
  addFeatureGate,
  customApi,
  KUBEVIRT_CRD_WITH_MAX_DOWNTIME,
  kubevirtFeatureGates,
  swapKubevirtCrd,
  testKubeConfig,
  testKubeconfigPath,
  until,
} from '@kubevirt-migration/control-plane/testing';
import {
  KubeClient,
  KubeHttp,
  KUBEVIRTS,
  loadConnection,
  reconcile,
  type ReconcileDeps,
  SETTINGS,
} from '@kubevirt-migration/k8s-adapter';
import { HARVESTER_DEFAULT } from '@kubevirt-migration/migration-policy';

/** The controller process against a real API server: every behaviour of docs/semantics.md §5. */
const root = join(__dirname, '..', '..', '..');
const kc = testKubeConfig();
const custom = customApi(kc);
const logs = mkdtempSync(join(tmpdir(), 'kubevirt-migration-controller-test-'));
const kubevirtRef = { ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' };
const settingRef = { ...SETTINGS, name: 'kubevirt-migration' };
const FAST_LEASE = ['--lease-duration=3', '--renew-deadline=2', '--retry-period=0.25'];

type Obj = Record<string, unknown> & {
  metadata: Record<string, unknown> & { resourceVersion: string; annotations?: Record<string, string> };
};
const getSetting = async () =>
  (await custom.getClusterCustomObject(settingRef)) as Obj & {
    value?: string;
    status?: { conditions?: Record<string, string>[] };
  };
const getKubeVirt = async () =>
  (await custom.getNamespacedCustomObject(kubevirtRef)) as Obj & {
    spec: { configuration?: Record<string, unknown> & { migrations?: Record<string, unknown> } };
  };
const migrationsOf = async () => (await getKubeVirt()).spec.configuration?.migrations;
const patchSetting = (ops: object[]) => custom.patchClusterCustomObject({ ...settingRef, body: ops });
const patchKubeVirt = (ops: object[]) => custom.patchNamespacedCustomObject({ ...kubevirtRef, body: ops });
const setValue = (value: string) => patchSetting([{ op: 'add', path: '/value', value }]);

/** Deep equality that ignores key order (the API server keeps the order a writer used). */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);

const metric = async (c: { probePort: number }, name: string): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${c.probePort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};
/** The field managers that wrote an object (its metadata.managedFields), each once, sorted. */
const managers = (o: unknown): string[] => {
  const fields = (o as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields;
  return Array.isArray(fields)
    ? [...new Set(fields.map((f) => String((f as { manager?: unknown }).manager)))].sort()
    : [];
};
interface SeenEvent {
  readonly type: string | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
  readonly count: number | undefined;
}
const core = kc.makeApiClient(CoreV1Api);
const ABOUT_SETTING = 'involvedObject.name=kubevirt-migration';
/** Every Event about the Setting, oldest first (the tests clear them, so these are the test's own). */
const events = async (): Promise<SeenEvent[]> =>
  (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: ABOUT_SETTING })).items
    .sort(
      (a, b) =>
        (a.firstTimestamp?.getTime() ?? 0) - (b.firstTimestamp?.getTime() ?? 0) ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count }));
const clearEvents = () => core.deleteCollectionNamespacedEvent({ namespace: 'default', fieldSelector: ABOUT_SETTING });
/** Waits until the Events about the Setting are exactly these (in order), and returns them. */
const eventsBecome = (expected: readonly SeenEvent[]) =>
  until(`the events ${JSON.stringify(expected)}`, async () => {
    const seen = await events();
    return JSON.stringify(seen) === JSON.stringify(expected) ? seen : undefined;
  });
const applied = (changes: number): SeenEvent => ({
  type: 'Normal',
  reason: 'Applied',
  message: `applied the setting to the KubeVirt CR harvester-system/kubevirt (${changes} change${changes === 1 ? '' : 's'})`,
  count: 1,
});
/** Makes a change and waits until the controller has finished a pass that began after it. */
const nextPass = async (c: { probePort: number }, change: () => Promise<unknown>) => {
  const passes = await metric(c, 'kubevirt_migration_controller_reconciles_total');
  await change();
  await until(
    'the controller to finish a pass',
    async () => (await metric(c, 'kubevirt_migration_controller_reconciles_total')) > passes,
  );
};

/** Back to the seeded state: no value, no marker, no status, no migrations block. */
const resetState = async () => {
  const s = await getSetting();
  const ops: object[] = [];
  if (s.value !== undefined) ops.push({ op: 'remove', path: '/value' });
  // the markers of any controller that ran before (another test file's, say)
  for (const key of Object.keys(s.metadata.annotations ?? {}))
    if (key === 'harvesterhci.io/hash' || key.startsWith('kubevirt-migration.harvesterhci.io/'))
      ops.push({ op: 'remove', path: `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
  if (s.metadata['labels'] !== undefined) ops.push({ op: 'remove', path: '/metadata/labels' });
  if (s['status'] !== undefined) ops.push({ op: 'remove', path: '/status' });
  if (ops.length > 0) await patchSetting(ops);
  await clearEvents();
  const k = await getKubeVirt();
  if (k.spec.configuration === undefined)
    await patchKubeVirt([
      {
        op: 'add',
        path: '/spec/configuration',
        value: { developerConfiguration: { featureGates: ['LiveMigration'] } },
      },
    ]);
  else if (k.spec.configuration.migrations !== undefined)
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration/migrations' }]);
};

let controller: ManagedProcess & { probePort: number };
afterAll(() =>
  process.env['KEEP_TEST_LOGS'] === undefined
    ? rmSync(logs, { recursive: true, force: true })
    : console.log(`logs kept in ${logs}`),
);
const start = async (name: string, args: readonly string[] = FAST_LEASE) =>
  startController(root, testKubeconfigPath(), join(logs, `${name}.log`), { args });

describe('the controller against a real API server', () => {
  beforeAll(async () => {
    await resetState();
    controller = await start('main');
  }, 60000);

  afterAll(async () => {
    await controller?.stop();
    await resetState();
  });

  it('apply: the seeded default is written into the CR that had no migrations block, and the Setting records it', async () => {
    await until('the default in the CR', async () =>
      same(await migrationsOf(), JSON.parse(HARVESTER_DEFAULT) as unknown),
    );
    const s = await until('condition configured True', async () => {
      const x = await getSetting();
      return x.status?.conditions?.some((c) => c['type'] === 'configured' && c['status'] === 'True') ? x : undefined;
    });
    expect(s.metadata.annotations?.['harvesterhci.io/hash']).toBe(
      'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f',
    );
    await eventsBecome([applied(11)]);
  });

  it('every write names the field manager kubevirt-migration-controller: the CR, the Setting and the Event', async () => {
    const [event] = (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: ABOUT_SETTING })).items;
    expect(event === undefined ? [] : managers(event)).toEqual(['kubevirt-migration-controller']);
    const kubevirt: unknown = await custom.getNamespacedCustomObject(kubevirtRef);
    expect(managers(kubevirt)).toContain('kubevirt-migration-controller');
    expect(managers(await getSetting())).toContain('kubevirt-migration-controller');
  });

  it('a change of value is applied; options absent from the setting are removed', async () => {
    await clearEvents();
    await setValue('{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}');
    await until('the new value in the CR', async () =>
      same(await migrationsOf(), { parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1Gi' }),
    );
    // 2 options replaced and the default's 9 others removed
    await eventsBecome([applied(11)]);
  });

  it('unchanged: a label-only update of the Setting causes no KubeVirt write and no event', async () => {
    await until('convergence', async () =>
      same(await migrationsOf(), { parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1Gi' }),
    );
    await clearEvents();
    const before = (await getKubeVirt()).metadata.resourceVersion;
    await nextPass(controller, () => patchSetting([{ op: 'add', path: '/metadata/labels', value: { team: 'infra' } }]));
    expect((await getKubeVirt()).metadata.resourceVersion).toBe(before);
    expect(await events()).toEqual([]);
  });

  it('equal quantities: 1024Mi on the CR for 1Gi in the setting is left as it is', async () => {
    await nextPass(controller, () =>
      patchKubeVirt([{ op: 'replace', path: '/spec/configuration/migrations/bandwidthPerMigration', value: '1024Mi' }]),
    );
    expect((await migrationsOf())?.['bandwidthPerMigration']).toBe('1024Mi');
    expect(await events()).toEqual([]);
  });

  it('drift: a change made directly on the CR is reverted, with one DriftCorrected event and no Applied event', async () => {
    const driftBefore = await metric(controller, 'kubevirt_migration_drift_corrections_total');
    await patchKubeVirt([
      { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 9 },
    ]);
    await until('the drift reverted', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 3);
    await eventsBecome([
      {
        type: 'Normal',
        reason: 'DriftCorrected',
        message:
          'set back 1 migration option changed directly on the KubeVirt CR harvester-system/kubevirt to the kubevirt-migration setting',
        count: 1,
      },
    ]);
    expect(await metric(controller, 'kubevirt_migration_drift_corrections_total')).toBe(driftBefore + 1);
    expect(await metric(controller, 'kubevirt_migration_configured')).toBe(1);
  });

  it('network is never touched, and a custom drain key is removed with a warning', async () => {
    await clearEvents();
    await patchKubeVirt([
      { op: 'add', path: '/spec/configuration/migrations/network', value: 'migration-net' },
      { op: 'add', path: '/spec/configuration/migrations/nodeDrainTaintKey', value: 'example.com/drain' },
    ]);
    await until('the drain key removed', async () => (await migrationsOf())?.['nodeDrainTaintKey'] === undefined);
    expect((await migrationsOf())?.['network']).toBe('migration-net');
    const drainRemoved = {
      type: 'Warning',
      reason: 'DrainKeyRemoved',
      message:
        'removed nodeDrainTaintKey "example.com/drain" from the KubeVirt CR: Harvester\'s upgrade taints nodes with kubevirt.io/drain, so any other key would stop node drains from migrating VMs',
      count: 1,
    };
    await eventsBecome([drainRemoved]);
    await setValue('{"parallelMigrationsPerCluster":4}');
    await until('the change applied', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 4);
    expect((await migrationsOf())?.['network']).toBe('migration-net');
    await eventsBecome([drainRemoved, applied(2)]);
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration/migrations/network' }]);
  });

  it('a missing spec.configuration is added with the migrations block', async () => {
    await clearEvents();
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration' }]);
    await until('spec.configuration back', async () =>
      same((await getKubeVirt()).spec.configuration, { migrations: { parallelMigrationsPerCluster: 4 } }),
    );
    await eventsBecome([
      {
        type: 'Normal',
        reason: 'DriftCorrected',
        message:
          'set back 1 migration option changed directly on the KubeVirt CR harvester-system/kubevirt to the kubevirt-migration setting',
        count: 1,
      },
    ]);
  });

  it('an invalid setting (the webhook bypassed) is reported, not written, and waits for the next change', async () => {
    await clearEvents();
    const before = (await getKubeVirt()).metadata.resourceVersion;
    await setValue('{"parallelMigrationsPerCluster":0}');
    const condition = await until('condition False', async () =>
      (await getSetting()).status?.conditions?.find((c) => c['type'] === 'configured' && c['status'] === 'False'),
    );
    expect(condition['reason']).toBe('InvalidSetting');
    expect(condition['message']).toContain('value.parallelMigrationsPerCluster: Invalid value: 0');
    const invalid = {
      type: 'Warning',
      reason: 'InvalidSetting',
      message:
        'not applied: Setting.harvesterhci.io "kubevirt-migration" is invalid: value.parallelMigrationsPerCluster: Invalid value: 0: must be from 1 to 2147483647',
      count: 1,
    };
    await eventsBecome([invalid]);
    // invalid again (another pass, caused by a label): no write, no second event
    await nextPass(controller, () => patchSetting([{ op: 'add', path: '/metadata/labels/again', value: 'yes' }]));
    expect(await events()).toEqual([invalid]);
    expect((await getKubeVirt()).metadata.resourceVersion).toBe(before);
    expect(await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total')).toBe(0);
    expect(await metric(controller, 'kubevirt_migration_apply_failures_total')).toBe(0);
    expect(await metric(controller, 'kubevirt_migration_configured')).toBe(0);
    await setValue('{"parallelMigrationsPerCluster":6}');
    await until('the fixed value applied', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 6);
    await until('condition True again', async () =>
      (await getSetting()).status?.conditions?.some((c) => c['type'] === 'configured' && c['status'] === 'True'),
    );
    await eventsBecome([invalid, applied(1)]);
    expect(await metric(controller, 'kubevirt_migration_configured')).toBe(1);
  });

  it('feature gates, with a KubeVirt CRD that lists maxDowntimeMs: without the gate nothing is sent and the condition says why; with it, applied', async () => {
    const restoreCrd = await swapKubevirtCrd(kc, root, KUBEVIRT_CRD_WITH_MAX_DOWNTIME);
    let removeGate: (() => Promise<void>) | undefined;
    // a controller started now has the new CRD in its caches before its first pass
    await controller.stop();
    controller = await start('gates');
    try {
      expect(await kubevirtFeatureGates(kc)).not.toContain('MigrationStallDetection');
      await setValue('{"parallelMigrationsPerCluster":6}');
      await until('the value applied', async () => same(await migrationsOf(), { parallelMigrationsPerCluster: 6 }));
      await clearEvents();
      const before = (await getKubeVirt()).metadata.resourceVersion;
      await setValue('{"parallelMigrationsPerCluster":6,"maxDowntimeMs":500}');
      const condition = await until('condition False for the missing gate', async () =>
        (await getSetting()).status?.conditions?.find(
          (c) => c['type'] === 'configured' && c['reason'] === 'FeatureGateMissing',
        ),
      );
      const message =
        "not applied, since KubeVirt would refuse it: value.maxDowntimeMs: Forbidden: maxDowntimeMs needs the feature gate MigrationStallDetection or MigrationDowntimeTuning, which the KubeVirt CR does not enable (KubeVirt refuses a change of maxDowntimeMs without it): add the gate to the CR's spec.configuration.developerConfiguration.featureGates first, or leave maxDowntimeMs as it is";
      expect(condition).toMatchObject({ status: 'False', message });
      await eventsBecome([{ type: 'Warning', reason: 'FeatureGateMissing', message, count: 1 }]);
      expect((await getKubeVirt()).metadata.resourceVersion).toBe(before);
      // the gate added to the CR: a change of the CR starts a pass, which now applies the option
      removeGate = await addFeatureGate(kc, 'MigrationStallDetection');
      await until('maxDowntimeMs applied', async () =>
        same(await migrationsOf(), { parallelMigrationsPerCluster: 6, maxDowntimeMs: 500 }),
      );
      await until('condition True again', async () =>
        (await getSetting()).status?.conditions?.some((c) => c['type'] === 'configured' && c['status'] === 'True'),
      );
      await eventsBecome([{ type: 'Warning', reason: 'FeatureGateMissing', message, count: 1 }, applied(1)]);
    } finally {
      // removing the option needs no gate; then the gates and the 1.7.0 CRD as they were
      await setValue('{"parallelMigrationsPerCluster":6}');
      await until('maxDowntimeMs removed', async () => same(await migrationsOf(), { parallelMigrationsPerCluster: 6 }));
      await removeGate?.();
      await restoreCrd();
    }
  }, 90000);
});

describe('first sight, nothing lost (Harvester bug #11517)', () => {
  afterAll(async () => {
    await controller?.stop();
    await resetState();
  });

  it('a never-applied setting with a blank value adopts the CR options instead of overwriting them', async () => {
    await controller.stop();
    await resetState();
    const custom1 = {
      parallelMigrationsPerCluster: 10,
      bandwidthPerMigration: '2Gi',
      allowPostCopy: true,
      network: 'mig-net',
    };
    await patchKubeVirt([{ op: 'add', path: '/spec/configuration/migrations', value: custom1 }]);
    controller = await start('adopt');
    const s = await until('the adopted value', async () => {
      const x = await getSetting();
      return x.value !== undefined ? x : undefined;
    });
    expect(s.value).toBe('{"parallelMigrationsPerCluster":10,"bandwidthPerMigration":"2Gi","allowPostCopy":true}');
    await until(
      'the setting marked applied',
      async () => (await getSetting()).metadata.annotations?.['harvesterhci.io/hash'] !== undefined,
    );
    expect(await migrationsOf()).toEqual(custom1);
    await eventsBecome([
      {
        type: 'Normal',
        reason: 'Adopted',
        message: `the setting had never been applied and its value was absent: kept the KubeVirt CR's migration options as the value {"parallelMigrationsPerCluster":10,"bandwidthPerMigration":"2Gi","allowPostCopy":true}`,
        count: 1,
      },
    ]);
  });
});

describe('a concurrent writer', () => {
  it('changing the CR between plan and patch causes a conflict and a fresh plan, never a lost write', async () => {
    await resetState();
    await setValue('{"parallelMigrationsPerCluster":7}');
    const client = new KubeClient(
      new KubeHttp(loadConnection({ kubeconfig: testKubeconfigPath() })),
      'kubevirt-migration-test',
    );
    let raced = false;
    const deps: ReconcileDeps = {
      setting: async () => client.getSetting('kubevirt-migration'),
      kubevirt: async () => client.getKubeVirt(),
      supportedOptions: () => undefined,
      patchKubeVirt: async (ops) => {
        if (!raced) {
          raced = true;
          // another writer gets in between our read and our patch
          await patchKubeVirt([{ op: 'add', path: '/spec/configuration/emulatedMachines', value: ['q35'] }]);
        }
        return client.patchKubeVirt(ops);
      },
      patchSetting: (ops) => client.patchSetting('kubevirt-migration', ops),
      event: async () => undefined,
      now: () => new Date(),
      mayWrite: () => true,
    };
    expect(await reconcile(deps)).toBe('Conflict');
    expect(await reconcile(deps)).toBe('Applied');
    const k = await getKubeVirt();
    expect(k.spec.configuration?.['emulatedMachines']).toEqual(['q35']);
    expect(k.spec.configuration?.migrations).toEqual({ parallelMigrationsPerCluster: 7 });
    expect(await reconcile(deps)).toBe('Unchanged');
    await resetState();
  });
});

describe('two controllers', () => {
  it('one leads and writes; when it dies the other takes over within the lease duration; a graceful stop releases the lease', async () => {
    await resetState();
    const a = await start('a');
    const b = await start('b');
    try {
      const leaders = async () => [
        (await metric(a, 'kubevirt_migration_controller_leader')) === 1,
        (await metric(b, 'kubevirt_migration_controller_leader')) === 1,
      ];
      await until('a leader', async () => (await leaders()).some(Boolean));
      expect((await leaders()).filter(Boolean)).toHaveLength(1);
      const [aLeads] = await leaders();
      const [leader, follower] = aLeads ? [a, b] : [b, a];
      await until('the default applied', async () => (await migrationsOf()) !== undefined);
      expect(await metric(follower, 'kubevirt_migration_controller_reconciles_total')).toBe(0);

      leader.kill('SIGKILL');
      const killedAt = Date.now();
      await until(
        'the follower to lead',
        async () => (await metric(follower, 'kubevirt_migration_controller_leader')) === 1,
        10000,
      );
      expect(Date.now() - killedAt).toBeLessThan(3000 + 2000);
      await setValue('{"parallelMigrationsPerCluster":2}');
      await until(
        'the new leader to apply a change',
        async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 2,
      );

      await follower.stop();
      const lease = (await custom.getNamespacedCustomObject({
        group: 'coordination.k8s.io',
        version: 'v1',
        plural: 'leases',
        namespace: 'harvester-system',
        name: 'kubevirt-migration-controller',
      })) as { spec: { holderIdentity?: string } };
      expect(lease.spec.holderIdentity ?? '').toBe('');
      expect(managers(lease)).toEqual(['kubevirt-migration-controller']);
    } finally {
      await a.stop();
      await b.stop();
      await resetState();
    }
  }, 60000);
});
