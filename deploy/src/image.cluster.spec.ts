import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ManagedProcess } from '@kubevirt-migration/control-plane';
import { freshNamespace, testKubeConfig, testKubeconfigPath } from '@kubevirt-migration/control-plane/testing';

import { repoRoot } from './testing/helm.js';

/** The image's user (distroless nonroot); when the tests do not run as root, the user running them (not root either). */
const root = process.getuid?.() === 0;
const user = root ? { uid: 65532, gid: 65532 } : {};

/** Makes a tree read-only for everyone (what tools/image.mjs gives /app in the image). */
const readOnly = (path: string): void => {
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) readOnly(join(path, entry));
  chmodSync(path, 0o555);
};

const httpsGet = (port: number, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe('the image’s runtime folder (what tools/image.mjs puts in /app), read-only and run as a non-root user', () => {
  let image: string;
  let kubeconfig: string;
  const processes: ManagedProcess[] = [];

  beforeAll(() => {
    image = mkdtempSync(join(tmpdir(), 'kubevirt-migration-image-'));
    chmodSync(image, 0o755);
    execFileSync(process.execPath, [join(repoRoot, 'tools', 'runtime-folder.mjs'), join(image, 'app')], {
      stdio: 'ignore',
    });
    // the image's Node is /nodejs/bin/node
    mkdirSync(join(image, 'nodejs', 'bin'), { recursive: true });
    copyFileSync(process.execPath, join(image, 'nodejs', 'bin', 'node'));
    // the test cluster's credentials, readable by that user (in a pod: the service account's files)
    kubeconfig = join(image, 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(testKubeconfigPath()));
    readOnly(image);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    if (image !== undefined) {
      execFileSync('chmod', ['-R', 'u+w', image]);
      rmSync(image, { recursive: true, force: true });
    }
  });

  const run = (app: 'controller' | 'webhook', args: string[]): ManagedProcess => {
    const p = new ManagedProcess(
      `image-${app}`,
      [join(image, 'nodejs', 'bin', 'node'), join(image, 'app', app, 'main.js'), `--kubeconfig=${kubeconfig}`, ...args],
      join(mkdtempSync(join(tmpdir(), 'kubevirt-migration-image-log-')), `${app}.log`),
      {
        env: { HOME: '/nonexistent', PATH: '/usr/bin:/bin' },
        cwd: '/',
        ...user,
      },
    );
    processes.push(p);
    return p;
  };

  it('holds the two bundles (and the webhook’s check) and nothing else: no node_modules, no sources', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
      );
    const all = files(join(image, 'app'));
    expect(all.filter((f) => !/^(controller|webhook)\/(chunks\/)?[\w-]+\.js(\.map)?$/.test(f))).toEqual([]);
    expect(all).toEqual(expect.arrayContaining(['controller/main.js', 'webhook/main.js', 'webhook/check.js']));
  });

  it('runs the check of the chart’s helm test (webhook/check.js) from the read-only folder', () => {
    const out = execFileSync(
      join(image, 'nodejs', 'bin', 'node'),
      [join(image, 'app', 'webhook', 'check.js'), '--help'],
      {
        encoding: 'utf8',
        env: { HOME: '/nonexistent', PATH: '/usr/bin:/bin' },
        cwd: '/',
        ...user,
      },
    );
    expect(out).toMatch(/^usage: kubevirt-migration-webhook-check/);
  });

  it('the webhook serves (its certificates made in a Secret, as the chart sets it up)', async () => {
    const namespace = await freshNamespace(testKubeConfig(), 'image');
    const port = await freePort();
    const p = run('webhook', [`--tls-secret=${namespace}/webhook-tls`, `--port=${port}`]);
    await p.waitReady(async () => (await httpsGet(port, '/readyz')) === 200, 30000);
    expect(await httpsGet(port, '/healthz')).toBe(200);
    // the process's real and effective user, as the kernel sees it
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${p.pid ?? 0}/status`, 'utf8'));
    expect(Number(uids?.[1])).not.toBe(0);
    expect(Number(uids?.[2])).toBe(root ? 65532 : process.getuid?.());
  });

  it('the controller serves its probes', async () => {
    const namespace = await freshNamespace(testKubeConfig(), 'image');
    const probePort = await freePort();
    const p = run('controller', [`--lease-namespace=${namespace}`, `--probe-port=${probePort}`]);
    await p.waitReady(async () => (await fetch(`http://127.0.0.1:${probePort}/readyz`)).ok, 30000);
    expect((await fetch(`http://127.0.0.1:${probePort}/healthz`)).status).toBe(200);
  });

  it('left the folder as it was: read-only for everyone', () => {
    const modes = (dir: string): number[] => [
      statSync(dir).mode,
      ...readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? modes(join(dir, e.name)) : [statSync(join(dir, e.name)).mode],
      ),
    ];
    expect(modes(join(image, 'app')).filter((m) => (m & 0o222) !== 0)).toEqual([]);
  });
});
