import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, PEM. */
export interface Pem {
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 3600 * 1000;
/** openssl's UTC time: YYYYMMDDHHMMSSZ. */
const opensslTime = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

const openssl = (args: readonly string[], cwd: string): void => {
  const r = spawnSync('openssl', [...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`openssl ${args[0] ?? ''}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
};

/** openssl's `ca` configuration: a throw-away database in `dir`, and a serving certificate's extensions for `names`. */
const caConfig = (dir: string, names: string): string =>
  [
    '[ca]',
    'default_ca = due',
    '[due]',
    `dir = ${dir}`,
    'database = $dir/index.txt',
    'new_certs_dir = $dir',
    'rand_serial = yes',
    'default_md = sha256',
    'policy = any',
    'unique_subject = no',
    'x509_extensions = serving',
    '[any]',
    'commonName = supplied',
    '[serving]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${names}`,
    '',
  ].join('\n');

/**
 * A serving certificate as `like` (same names), signed by `ca`, that is due for renewal: it has
 * lived `livedDays` of `livedDays + leftDays`, past the two thirds after which the webhook renews
 * (openssl's `ca` command, which alone sets a start in the past).
 */
export const dueServingCertificate = (ca: Pem, like: string, livedDays = 300, leftDays = 60): Pem => {
  const dir = mkdtempSync(join(tmpdir(), 'kubevirt-migration-due-cert-'));
  try {
    const names = (new X509Certificate(like).subjectAltName ?? '').replaceAll('IP Address:', 'IP:');
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'ca.cnf'), caConfig(dir, names));
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'tls.key',
        '-subj',
        `/CN=${new X509Certificate(like).subject.replace(/^CN=/, '')}`,
        '-out',
        'tls.csr',
      ],
      dir,
    );
    const now = Date.now();
    const range = [
      '-startdate',
      opensslTime(now - livedDays * DAY_MS),
      '-enddate',
      opensslTime(now + leftDays * DAY_MS),
    ];
    openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        'ca.crt',
        '-keyfile',
        'ca.key',
        ...range,
        '-in',
        'tls.csr',
        '-out',
        'tls.crt',
      ],
      dir,
    );
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
