import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { HARVESTER_DEFAULT } from '@kubevirt-migration/migration-policy';
import { KUBEVIRTS, KubeClient, SETTINGS, reconcile, type ReconcileDeps } from '@kubevirt-migration/k8s-adapter';
import { startController, type ManagedProcess } from '@kubevirt-migration/control-plane';
import { customApi, testKubeConfig, testKubeconfigPath, until } from '@kubevirt-migration/control-plane/testing';

/** The controller process against a real API server: every behaviour of docs/semantics.md §5. */
const root = join(__dirname, '..', '..', '..');
const kc = testKubeConfig();
const custom = customApi(kc);
const logs = mkdtempSync(join(tmpdir(), 'kubevirt-migration-controller-test-'));
const kubevirtRef = { ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' };
const settingRef = { ...SETTINGS, name: 'kubevirt-migration' };
const FAST_LEASE = ['--lease-duration=3', '--renew-deadline=2', '--retry-period=0.25'];

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> & { resourceVersion: string; annotations?: Record<string, string> } };
const getSetting = async () => (await custom.getClusterCustomObject(settingRef)) as Obj & { value?: string; status?: { conditions?: Record<string, string>[] } };
const getKubeVirt = async () => (await custom.getNamespacedCustomObject(kubevirtRef)) as Obj & { spec: { configuration?: Record<string, unknown> & { migrations?: Record<string, unknown> } } };
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
const events = async (reason: string): Promise<{ message?: string; type?: string }[]> =>
  (await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'kubevirt-migration' && e.reason === reason);

/** Back to the seeded state: no value, no marker, no status, no migrations block. */
const resetState = async () => {
  const s = await getSetting();
  const ops: object[] = [];
  if (s.value !== undefined) ops.push({ op: 'remove', path: '/value' });
  if (s.metadata.annotations?.['harvesterhci.io/hash'] !== undefined) ops.push({ op: 'remove', path: '/metadata/annotations/harvesterhci.io~1hash' });
  if (s.metadata['labels'] !== undefined) ops.push({ op: 'remove', path: '/metadata/labels' });
  if (s['status'] !== undefined) ops.push({ op: 'remove', path: '/status' });
  if (ops.length > 0) await patchSetting(ops);
  const k = await getKubeVirt();
  if (k.spec.configuration === undefined) await patchKubeVirt([{ op: 'add', path: '/spec/configuration', value: { developerConfiguration: { featureGates: ['LiveMigration'] } } }]);
  else if (k.spec.configuration.migrations !== undefined) await patchKubeVirt([{ op: 'remove', path: '/spec/configuration/migrations' }]);
};

let controller: ManagedProcess & { probePort: number };
afterAll(() => (process.env['KEEP_TEST_LOGS'] === undefined ? rmSync(logs, { recursive: true, force: true }) : console.log(`logs kept in ${logs}`)));
const start = async (name: string, args: readonly string[] = FAST_LEASE) => startController(root, testKubeconfigPath(), join(logs, `${name}.log`), args);

describe('the controller against a real API server', () => {
  beforeAll(async () => {
    await resetState();
    controller = await start('main');
  }, 60000);

  afterAll(async () => {
    await controller?.stop();
    await resetState();
  });

  it("apply: the seeded default is written into the CR that had no migrations block, and the Setting records it", async () => {
    await until('the default in the CR', async () => same(await migrationsOf(), JSON.parse(HARVESTER_DEFAULT) as unknown));
    const s = await until('condition configured True', async () => {
      const x = await getSetting();
      return x.status?.conditions?.some((c) => c['type'] === 'configured' && c['status'] === 'True') ? x : undefined;
    });
    expect(s.metadata.annotations?.['harvesterhci.io/hash']).toBe('d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f');
    expect((await events('Applied')).length).toBeGreaterThan(0);
  });

  it('a change of value is applied; options absent from the setting are removed', async () => {
    await setValue('{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}');
    await until('the new value in the CR', async () => same(await migrationsOf(), { parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1Gi' }));
  });

  it('unchanged: a label-only update of the Setting causes no KubeVirt write', async () => {
    await until('convergence', async () => same(await migrationsOf(), { parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1Gi' }));
    const before = (await getKubeVirt()).metadata.resourceVersion;
    const passes = await metric(controller, 'kubevirt_migration_controller_reconciles_total');
    await patchSetting([{ op: 'add', path: '/metadata/labels', value: { team: 'infra' } }]);
    await until('the controller to process the label change', async () => (await metric(controller, 'kubevirt_migration_controller_reconciles_total')) > passes);
    await new Promise((r) => setTimeout(r, 500));
    expect((await getKubeVirt()).metadata.resourceVersion).toBe(before);
  });

  it('equal quantities: 1024Mi on the CR for 1Gi in the setting is left as it is', async () => {
    const passes = await metric(controller, 'kubevirt_migration_controller_reconciles_total');
    await patchKubeVirt([{ op: 'replace', path: '/spec/configuration/migrations/bandwidthPerMigration', value: '1024Mi' }]);
    await until('a pass', async () => (await metric(controller, 'kubevirt_migration_controller_reconciles_total')) > passes);
    await new Promise((r) => setTimeout(r, 300));
    expect((await migrationsOf())?.['bandwidthPerMigration']).toBe('1024Mi');
  });

  it('drift: a change made directly on the CR is reverted, with a DriftCorrected event', async () => {
    await patchKubeVirt([{ op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 9 }]);
    await until('the drift reverted', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 3);
    await until('a DriftCorrected event', async () => (await events('DriftCorrected')).length > 0);
  });

  it('network is never touched, and a custom drain key is removed with a warning', async () => {
    await patchKubeVirt([
      { op: 'add', path: '/spec/configuration/migrations/network', value: 'migration-net' },
      { op: 'add', path: '/spec/configuration/migrations/nodeDrainTaintKey', value: 'example.com/drain' },
    ]);
    await until('the drain key removed', async () => (await migrationsOf())?.['nodeDrainTaintKey'] === undefined);
    expect((await migrationsOf())?.['network']).toBe('migration-net');
    const warnings = await until('a DrainKeyRemoved event', async () => {
      const e = await events('DrainKeyRemoved');
      return e.length > 0 ? e : undefined;
    });
    expect(warnings[0]?.type).toBe('Warning');
    await setValue('{"parallelMigrationsPerCluster":4}');
    await until('the change applied', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 4);
    expect((await migrationsOf())?.['network']).toBe('migration-net');
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration/migrations/network' }]);
  });

  it('a missing spec.configuration is added with the migrations block', async () => {
    await patchKubeVirt([{ op: 'remove', path: '/spec/configuration' }]);
    await until('spec.configuration back', async () => same((await getKubeVirt()).spec.configuration, { migrations: { parallelMigrationsPerCluster: 4 } }));
  });

  it('an invalid setting (the webhook bypassed) is reported, not written, and waits for the next change', async () => {
    const before = (await getKubeVirt()).metadata.resourceVersion;
    await setValue('{"parallelMigrationsPerCluster":0}');
    const condition = await until('condition False', async () => (await getSetting()).status?.conditions?.find((c) => c['type'] === 'configured' && c['status'] === 'False'));
    expect(condition['reason']).toBe('InvalidSetting');
    expect(condition['message']).toContain('value.parallelMigrationsPerCluster: Invalid value: 0');
    await until('an InvalidSetting warning', async () => (await events('InvalidSetting')).length > 0);
    expect((await getKubeVirt()).metadata.resourceVersion).toBe(before);
    expect(await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total')).toBe(0);
    await setValue('{"parallelMigrationsPerCluster":6}');
    await until('the fixed value applied', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 6);
    await until('condition True again', async () => (await getSetting()).status?.conditions?.some((c) => c['type'] === 'configured' && c['status'] === 'True'));
  });
});

describe('first sight, nothing lost (Harvester bug #11517)', () => {
  afterAll(async () => {
    await controller?.stop();
    await resetState();
  });

  it('a never-applied setting with a blank value adopts the CR options instead of overwriting them', async () => {
    await controller.stop();
    await resetState();
    const custom1 = { parallelMigrationsPerCluster: 10, bandwidthPerMigration: '2Gi', allowPostCopy: true, network: 'mig-net' };
    await patchKubeVirt([{ op: 'add', path: '/spec/configuration/migrations', value: custom1 }]);
    controller = await start('adopt');
    const s = await until('the adopted value', async () => {
      const x = await getSetting();
      return x.value !== undefined ? x : undefined;
    });
    expect(s.value).toBe('{"parallelMigrationsPerCluster":10,"bandwidthPerMigration":"2Gi","allowPostCopy":true}');
    await until('the setting marked applied', async () => (await getSetting()).metadata.annotations?.['harvesterhci.io/hash'] !== undefined);
    expect(await migrationsOf()).toEqual(custom1);
    await until('an Adopted event', async () => (await events('Adopted')).length > 0);
  });
});

describe('a concurrent writer', () => {
  it('changing the CR between plan and patch causes a conflict and a fresh plan, never a lost write', async () => {
    await resetState();
    await setValue('{"parallelMigrationsPerCluster":7}');
    const client = new KubeClient(kc, 'kubevirt-migration-test');
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
      const leaders = async () => [(await metric(a, 'kubevirt_migration_controller_leader')) === 1, (await metric(b, 'kubevirt_migration_controller_leader')) === 1];
      await until('a leader', async () => (await leaders()).some(Boolean));
      expect((await leaders()).filter(Boolean)).toHaveLength(1);
      const [aLeads] = await leaders();
      const [leader, follower] = aLeads ? [a, b] : [b, a];
      await until('the default applied', async () => (await migrationsOf()) !== undefined);
      expect(await metric(follower, 'kubevirt_migration_controller_reconciles_total')).toBe(0);

      leader.kill('SIGKILL');
      const killedAt = Date.now();
      await until('the follower to lead', async () => (await metric(follower, 'kubevirt_migration_controller_leader')) === 1, 10000);
      expect(Date.now() - killedAt).toBeLessThan(3000 + 2000);
      await setValue('{"parallelMigrationsPerCluster":2}');
      await until('the new leader to apply a change', async () => (await migrationsOf())?.['parallelMigrationsPerCluster'] === 2);

      await follower.stop();
      const lease = (await custom.getNamespacedCustomObject({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'harvester-system', name: 'kubevirt-migration-controller' })) as { spec: { holderIdentity?: string } };
      expect(lease.spec.holderIdentity ?? '').toBe('');
    } finally {
      await a.stop();
      await b.stop();
      await resetState();
    }
  }, 60000);
});
