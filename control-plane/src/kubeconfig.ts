import { readFileSync, writeFileSync } from 'node:fs';

import type { Pki } from './pki.js';

const b64 = (file: string): string => readFileSync(file).toString('base64');

/** An admin kubeconfig for the local API server, credentials embedded (it stays valid if copied). */
export const writeKubeconfig = (path: string, server: string, pki: Pki): void => {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'kubevirt-migration-local', cluster: { server, 'certificate-authority-data': b64(pki.caCert) } },
    ],
    users: [
      { name: 'admin', user: { 'client-certificate-data': b64(pki.adminCert), 'client-key-data': b64(pki.adminKey) } },
    ],
    contexts: [{ name: 'kubevirt-migration-local', context: { cluster: 'kubevirt-migration-local', user: 'admin' } }],
    'current-context': 'kubevirt-migration-local',
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
};
