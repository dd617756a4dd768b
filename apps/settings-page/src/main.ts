import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { listen, onShutdown, runMain } from '@kubevirt-migration/service';

import { readKubevirtOptions } from './kubevirt-options.js';
import { pageServer } from './server.js';

const FLAGS = {
  'listen-address': { type: 'string', default: '127.0.0.1', help: 'address to serve the page on', placeholder: 'ADDR' },
  port: { type: 'port', default: 8480, help: 'HTTP port (0 picks a free one)' },
  'kubevirt-crd': {
    type: 'string',
    help: 'a KubeVirt CRD file: the page then offers only the options it lists, with its descriptions as help',
    placeholder: 'FILE',
  },
} as const;

runMain({
  command: 'kubevirt-migration-settings-page',
  summary: 'Serves the settings page of the kubevirt-migration setting (the policy library, in the browser).',
  flags: FLAGS,
  main: async (f) => {
    const kubevirt = f['kubevirt-crd'] === undefined ? undefined : readKubevirtOptions(f['kubevirt-crd']);
    const server = pageServer(join(dirname(fileURLToPath(import.meta.url)), 'page'), kubevirt);
    const port = await listen(server, f.port, f['listen-address'], 'the settings page');
    const host = f['listen-address'].includes(':') ? `[${f['listen-address']}]` : f['listen-address'];
    process.stdout.write(`settings page: http://${host}:${port}/\n`);
    onShutdown(() => new Promise((resolve) => server.close(() => resolve())));
  },
});
