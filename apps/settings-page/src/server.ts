import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

import type { KubevirtOptions } from './page/form.js';

/** The page's files, the only paths served besides kubevirt-options.json. */
const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/page.js': 'page.js',
  '/page.js.map': 'page.js.map',
  '/page.css': 'page.css',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  map: 'application/json',
  css: 'text/css; charset=utf-8',
};

const HEADERS = {
  'content-security-policy': "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/**
 * An HTTP server of the settings page: the built page (folder `pageDir`, read once at start, so a
 * missing build fails here and not on the first request) and, when given, the KubeVirt CRD's options.
 * Static and read-only: anything but GET or HEAD of those paths is refused.
 */
export const pageServer = (pageDir: string, kubevirt: KubevirtOptions | undefined): Server => {
  const bodies = new Map<string, { readonly body: Buffer; readonly type: string }>();
  for (const [path, file] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(pageDir, file));
    } catch (e) {
      if (file.endsWith('.map')) continue;
      throw new Error(
        `the settings page is not built (${join(pageDir, file)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}); run \`npm run build\``,
      );
    }
    bodies.set(path, { body, type: TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
  }
  if (kubevirt !== undefined)
    bodies.set('/kubevirt-options.json', { body: Buffer.from(JSON.stringify(kubevirt)), type: 'application/json' });

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { ...HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end(`${req.method ?? ''} is not allowed: the page is read-only\n`);
      return;
    }
    if (path === '/favicon.ico') {
      // browsers ask for one; the page has none
      res.writeHead(204, HEADERS).end();
      return;
    }
    const found = bodies.get(path);
    if (found === undefined) {
      res
        .writeHead(404, { ...HEADERS, 'content-type': 'text/plain' })
        .end(`${path} is not part of the settings page\n`);
      return;
    }
    res.writeHead(200, { ...HEADERS, 'content-type': found.type, 'content-length': found.body.length });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  });
};
