import { readFileSync } from 'node:fs';
import { request } from 'node:https';

import type { Pki } from './pki.js';

/** GET a path of the local API server as the admin; resolves with the status code and body. */
export const getAsAdmin = (
  pki: Pki,
  port: number,
  path: string,
  host = '127.0.0.1',
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        method: 'GET',
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
