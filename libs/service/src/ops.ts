import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Registry } from 'prom-client';

export interface Probes {
  /** Ready to serve (caches synced, leader or standby as the app defines). */
  readonly ready: () => boolean;
  readonly registry: Registry;
}

/**
 * Answers GET /healthz (the process serves), /readyz (the app's own readiness) and /metrics
 * (Prometheus text format). Returns false for any other path, for the caller to handle.
 */
export const serveProbes = (probes: Probes, req: IncomingMessage, res: ServerResponse): boolean => {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return true;
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/readyz') {
    const ready = probes.ready();
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok\n' : 'not ready\n');
  } else {
    probes.registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': probes.registry.contentType }).end(text))
      .catch((e: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
      );
  }
  return true;
};
