import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConnection } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const config = (o: { server?: string; user?: string; current?: string; extra?: string } = {}) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${o.server ?? 'https://127.0.0.1:6443/'}
    certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}
users:
- name: u
  user:
${o.user ?? '    token: abc'}
contexts:
- name: x
  context: {cluster: c, user: u}
- name: other
  context: {cluster: c, user: missing}
${o.current === undefined ? 'current-context: x' : o.current}
${o.extra ?? ''}`;

const noEnv: NodeJS.ProcessEnv = { HOME: dir };

describe('finding the cluster, as client-go does', () => {
  it('--kubeconfig: server, CA, token', () => {
    const c = loadConnection({ kubeconfig: file('a.yaml', config()) }, noEnv);
    expect(c.server).toBe('https://127.0.0.1:6443');
    expect(c.ca?.toString()).toBe('CA PEM');
    expect(c.authorization()).toBe('Bearer abc');
    expect(c.source).toMatch(/a\.yaml \(context x\)$/);
  });

  it('client certificates from files relative to the kubeconfig, and a token file', () => {
    writeFileSync(join(dir, 'client.crt'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    writeFileSync(join(dir, 'token'), ' tok \n');
    const c = loadConnection(
      {
        kubeconfig: file(
          'b.yaml',
          config({ user: '    client-certificate: client.crt\n    client-key: client.key\n    tokenFile: token' }),
        ),
      },
      noEnv,
    );
    expect([c.cert?.toString(), c.key?.toString(), c.authorization()]).toEqual(['CERT', 'KEY', 'Bearer tok']);
  });

  it('basic auth', () => {
    const c = loadConnection(
      { kubeconfig: file('basic.yaml', config({ user: '    username: me\n    password: pw' })) },
      noEnv,
    );
    expect(c.authorization()).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
  });

  it('$KUBECONFIG: the files merged, the first to name something wins', () => {
    const first = file(
      'first.yaml',
      'apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters:\n- name: c\n  cluster: {server: "https://first:1"}\n',
    );
    const second = file('second.yaml', config({ server: 'https://second:2', current: 'current-context: other' }));
    const c = loadConnection({}, { ...noEnv, KUBECONFIG: `${first}:${second}` });
    expect(c.server).toBe('https://first:1');
    expect(c.authorization()).toBe('Bearer abc');
  });

  it('--context picks another context', () => {
    expect(() => loadConnection({ kubeconfig: file('ctx.yaml', config()), context: 'other' }, noEnv)).toThrow(
      /no user named missing/,
    );
  });

  it('in a pod (KUBERNETES_SERVICE_HOST set, no kubeconfig): the service account, with the pod namespace', () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'ca.crt'), 'POD CA');
    writeFileSync(join(sa, 'namespace'), 'kubevirt-migration-system\n');
    const env = {
      ...noEnv,
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR: sa,
    };
    const c = loadConnection({}, env);
    expect([c.server, c.authorization(), c.ca?.toString(), c.podNamespace]).toEqual([
      'https://10.0.0.1:443',
      'Bearer pod-token',
      'POD CA',
      'kubevirt-migration-system',
    ]);
    expect(loadConnection({}, { ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' }).server).toBe('https://[fd00::1]:443');
    // a kubeconfig named explicitly wins over the pod's account
    expect(loadConnection({ kubeconfig: file('c.yaml', config()) }, env).podNamespace).toBeUndefined();
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'a file that does not exist',
      () => loadConnection({ kubeconfig: join(dir, 'nope') }, noEnv),
      /^kubeconfig .*nope: no such file$/,
    ],
    ['a directory', () => loadConnection({ kubeconfig: dir }, noEnv), /is a directory, not a kubeconfig file$/],
    [
      'text that is not YAML',
      () => loadConnection({ kubeconfig: file('bad.yaml', 'a: [') }, noEnv),
      /^kubeconfig .*bad\.yaml: not valid YAML/,
    ],
    [
      'no current context',
      () => loadConnection({ kubeconfig: file('nocur.yaml', config({ current: '' })) }, noEnv),
      /no current-context \(give --context\)$/,
    ],
    [
      'an unknown context',
      () => loadConnection({ kubeconfig: file('d.yaml', config()), context: 'nope' }, noEnv),
      /no context named nope$/,
    ],
    [
      'an exec plugin',
      () => loadConnection({ kubeconfig: file('exec.yaml', config({ user: '    exec: {command: aws}' })) }, noEnv),
      /exec or auth-provider plugin/,
    ],
    [
      'a missing client key file',
      () => loadConnection({ kubeconfig: file('e.yaml', config({ user: '    client-key: missing.key' })) }, noEnv),
      /client-key .*missing\.key: no such file$/,
    ],
    ['nothing configured', () => loadConnection({}, noEnv), /^no cluster configured/],
    [
      'a pod without a token',
      () =>
        loadConnection(
          {},
          { ...noEnv, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR: join(dir, 'none') },
        ),
      /token file .*: no such file$/,
    ],
  ])('%s is one clear line', (_name, load, message) => {
    expect(load).toThrow(message);
  });
});
