import { guardDrops } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';

import {
  clearValue,
  kubectl,
  kubectlJson as json,
  kubectlOk,
  PREPARE_KUBECTL_MS,
  prepareKubectl,
  removeKubectlHome,
  setValue,
} from './testing/kubectl.js';
import { NAMESPACE, WEBHOOK } from './testing/release-pods.js';

/**
 * The chart installed with its defaults on a real node (the node project's global setup), operated
 * as README's "Install on a cluster" tells users: kubectl against the release.
 */

beforeAll(prepareKubectl, PREPARE_KUBECTL_MS);
afterAll(removeKubectlHome);

interface Pod {
  metadata: { name: string; labels: Record<string, string> };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { conditions?: { type: string; status: string }[] };
}
const pods = (): Pod[] => json<{ items: Pod[] }>(['-n', NAMESPACE, 'get', 'pods']).items;
const ready = (p: Pod): boolean => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const component = (p: Pod): string => p.metadata.labels['app.kubernetes.io/component'] ?? '';

describe('the chart installed with its defaults on a local node', () => {
  it('runs four pods, Ready, on the node, from the image built by tools/image.mjs', () => {
    const all = pods();
    expect(all.map(component).sort()).toEqual(['controller', 'controller', 'webhook', 'webhook']);
    for (const p of all) {
      expect(ready(p)).toBe(true);
      expect(p.spec.nodeName).toBe('kubevirt-migration-node');
      expect(p.spec.containers[0]?.image).toBe('ghcr.io/kubevirt-migration/kubevirt-migration:0.1.0');
    }
  });

  it('registers the webhook by its Service, which the API server calls', async () => {
    const config = json<{
      webhooks: { clientConfig: { url?: string; service?: { name: string; namespace: string } } }[];
    }>(['get', 'validatingwebhookconfigurations', WEBHOOK]);
    expect(config.webhooks[0]?.clientConfig.url).toBeUndefined();
    expect(config.webhooks[0]?.clientConfig.service).toMatchObject({
      namespace: NAMESPACE,
      name: 'kubevirt-migration-webhook',
    });
    // the API server's call goes to the Service's ClusterIP, which kube-proxy sends to a pod; only
    // the webhook suggests a name (the CRD's schema has no rule for the value's text)
    const denied = await until(
      'the webhook to answer through its Service',
      () => {
        const r = setValue('{"parallelMigrationPerCluster":5}');
        return r.status !== 0 && r.stderr.includes('did you mean "parallelMigrationsPerCluster"?') ? r : undefined;
      },
      45000,
    );
    expect(denied.stderr).toContain('value.parallelMigrationPerCluster: Unsupported value');
  });
});

describe('HEP test plan with kubectl against the release', () => {
  afterEach(() => {
    clearValue();
  });

  it('(1) a wrong schema is rejected, with every cause', () => {
    const r = setValue('{"parallelMigrationPerCluster":5,"progressTimeout":"150"}');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('value.parallelMigrationPerCluster: Unsupported value');
    expect(r.stderr).toContain('value.progressTimeout: Invalid value: "150": must be an integer');
  });

  it('(2) a change to nodeDrainTaintKey is rejected', () => {
    const r = setValue('{"nodeDrainTaintKey":"example.com/drain"}');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('value.nodeDrainTaintKey: Forbidden');
  });

  it('(3) a change to network is rejected', () => {
    const r = setValue('{"network":"migration-net"}');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('value.network: Forbidden');
  });

  it('(4) any change is rejected while a VM migration is in progress, and the message names it', async () => {
    const ns = `hep-${process.pid}`;
    kubectlOk(['create', 'namespace', ns]);
    try {
      kubectlOk(
        ['-n', ns, 'create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachineInstanceMigration',
          metadata: { name: 'vm-running' },
          spec: { vmiName: 'vm-running' },
        }),
      );
      kubectlOk([
        '-n',
        ns,
        'patch',
        'virtualmachineinstancemigrations',
        'vm-running',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Running"}}',
      ]);
      // each webhook replica learns of the migration from its own watch
      const r = await until('both webhook replicas to see the migration', () => {
        const tries = [setValue('{"parallelMigrationsPerCluster":3}'), setValue('{"parallelMigrationsPerCluster":4}')];
        return tries.every((t) => t.status !== 0) ? tries[0] : undefined;
      });
      expect(r?.stderr).toContain(`cannot be changed while a migration is in progress: ${ns}/vm-running (Running)`);
    } finally {
      kubectl(['delete', 'namespace', ns, '--wait=false']);
    }
  });

  it('(5) a real change is accepted, and the controller applies it to the KubeVirt CR', async () => {
    const r = await until(
      'a change to be admitted (the migration of (4) gone from the webhooks’ caches)',
      () => {
        const t = setValue('{"parallelMigrationsPerCluster":3}');
        return t.status === 0 ? t : undefined;
      },
      30000,
    );
    expect(r.stdout).toContain('patched');
    const applied = await until(
      'the controller to apply the change',
      () => {
        const cr = json<{ spec: { configuration: { migrations?: { parallelMigrationsPerCluster?: number } } } }>([
          '-n',
          'harvester-system',
          'get',
          'kubevirts.kubevirt.io',
          'kubevirt',
        ]);
        return cr.spec.configuration.migrations?.parallelMigrationsPerCluster === 3 ? cr : undefined;
      },
      30000,
    );
    expect(applied.spec.configuration.migrations?.parallelMigrationsPerCluster).toBe(3);
  });
});

describe('inside a running container of the release', () => {
  /** What the container's own Node sees of itself (the image has no shell to ask with). */
  const probe = `
    const fs = require('node:fs');
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const field = (name) => new RegExp('^' + name + ':\\\\s*(.*)$', 'm').exec(status)[1].trim();
    let write;
    try { fs.writeFileSync('/app/x', 'x'); write = 'written'; } catch (e) { write = e.code; }
    let writeRoot;
    try { fs.writeFileSync('/x', 'x'); writeRoot = 'written'; } catch (e) { writeRoot = e.code; }
    console.log(JSON.stringify({
      uid: process.getuid(), gid: process.getgid(), capEff: field('CapEff'), capBnd: field('CapBnd'), noNewPrivs: field('NoNewPrivs'),
      write, writeRoot, shells: ['/bin/sh', '/bin/bash', '/usr/bin/sh', '/bin/busybox'].filter((p) => fs.existsSync(p)),
      serviceHost: process.env.KUBERNETES_SERVICE_HOST,
    }));`;

  it.each(['controller', 'webhook'])(
    'the %s runs as 65532 on a read-only root, with no capability and no shell',
    (app) => {
      const seen = JSON.parse(
        kubectlOk([
          '-n',
          NAMESPACE,
          'exec',
          `deployment/kubevirt-migration-${app}`,
          '--',
          '/nodejs/bin/node',
          '-e',
          probe,
        ]),
      ) as Record<string, unknown>;
      expect(seen).toEqual({
        uid: 65532,
        gid: 65532,
        capEff: '0000000000000000',
        capBnd: '0000000000000000',
        noNewPrivs: '1',
        write: 'EROFS',
        writeRoot: 'EROFS',
        shells: [],
        serviceHost: '10.88.128.1',
      });
      const shell = kubectl([
        '-n',
        NAMESPACE,
        'exec',
        `deployment/kubevirt-migration-${app}`,
        '--',
        '/bin/sh',
        '-c',
        'true',
      ]);
      expect(shell.status).not.toBe(0);
    },
  );
});

describe('the node’s network', () => {
  it('sent nothing for or from its addresses by any device but its bridge and loopback (the guard’s counter is 0)', () => {
    expect(guardDrops()).toBe(0);
  });
});
