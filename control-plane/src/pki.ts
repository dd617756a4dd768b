import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of the local PKI, all under one directory. */
export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly webhookCert: string;
  readonly webhookKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

const openssl = (args: readonly string[], cwd: string): void => {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    const missing = (e as { code?: string }).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed (Debian: apt-get install openssl)'
        : `openssl ${args[0]} failed: ${stderr.trim()}`,
    );
  }
};

/** A key and a certificate signed by the CA, with the given subject and extensions. */
const issue = (dir: string, name: string, subject: string, ext: string): void => {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-sha256',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
};

const serving = (ips: readonly string[] = [], names: readonly string[] = []): string =>
  `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${[
    'IP:127.0.0.1',
    ...ips.map((ip) => `IP:${ip}`),
    'DNS:localhost',
    ...names.map((name) => `DNS:${name}`),
  ].join(',')}\n`;
const CLIENT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

/** The self-signed CA (30 days) as ca.crt and ca.key in `dir`. */
const createCa = (dir: string): void =>
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '30',
      '-subj',
      '/CN=kubevirt-migration-local-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );

/**
 * One CA; serving certificates with the IP SAN 127.0.0.1 (a CN alone is refused by Go and Node)
 * for the API server and the webhook; an admin client certificate in system:masters; an RSA key
 * pair for service-account tokens. `apiserverIps`: more addresses the API server is reached at (on
 * a local node: the node's address and the `kubernetes` Service's, which pods dial).
 */
export const createPki = (dir: string, apiserverIps: readonly string[] = []): Pki => {
  mkdirSync(dir, { recursive: true });
  createCa(dir);
  issue(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    serving(
      apiserverIps,
      apiserverIps.length === 0
        ? []
        : ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ),
  );
  issue(dir, 'webhook', '/CN=kubevirt-migration-webhook', serving());
  issue(dir, 'admin', '/O=system:masters/CN=kubevirt-migration-admin', CLIENT);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const f = (name: string) => join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    webhookCert: f('webhook.crt'),
    webhookKey: f('webhook.key'),
    serviceAccountKey: f('sa.key'),
    serviceAccountPub: f('sa.pub'),
  };
};
