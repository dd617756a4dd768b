import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's (or another distribution's) Chromium usually is. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Chromium's flags for a machine with no network but loopback: without the background-networking
 * ones it keeps trying (and failing) to reach Google's hosts.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const found = (): string | undefined => {
  const given = process.env['KUBEVIRT_MIGRATION_CHROMIUM'];
  if (given !== undefined && given !== '') {
    if (!existsSync(given)) throw new Error(`KUBEVIRT_MIGRATION_CHROMIUM=${given}: no such file`);
    return given;
  }
  return CANDIDATES.find((path) => existsSync(path));
};

const apt = (...args: string[]): boolean => {
  process.stderr.write(`installing Chromium for the browser tests: apt-get ${args.join(' ')}\n`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600000,
  });
  return r.status === 0;
};

/**
 * The Chromium the browser tests drive (never a browser downloaded by a test tool): the one named by
 * $KUBEVIRT_MIGRATION_CHROMIUM, else the system's; on a Debian machine where the tests run as root,
 * Debian's package is installed when missing. Throws saying what to do otherwise.
 */
export const chromiumPath = (): string => {
  const path = found();
  if (path !== undefined) return path;
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    const installed =
      apt('install', '-y', '--no-install-recommends', 'chromium') ||
      (apt('update') && apt('install', '-y', '--no-install-recommends', 'chromium'));
    const after = found();
    if (installed && after !== undefined) return after;
  }
  throw new Error(
    `no Chromium found (looked for ${CANDIDATES.join(', ')}): install Debian's package (apt-get install chromium) or set KUBEVIRT_MIGRATION_CHROMIUM to a Chromium binary`,
  );
};
