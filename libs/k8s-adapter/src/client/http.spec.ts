import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { decideCertificates } from '../webhook/certificates.js';
import { AdapterError } from './errors.js';
import { KubeHttp, type WatchEvent } from './http.js';
import type { Connection } from './kubeconfig.js';

/** A CA and a serving certificate for the IPv6 loopback, made as the webhook makes its own. */
const issued = (() => {
  const d = decideCertificates(
    undefined,
    { hosts: ['::1'], servingLifetimeMs: 3600_000, caLifetimeMs: 7200_000, caOverlapMs: 0 },
    new Date(),
  );
  if (d.action !== 'replace') throw new Error('expected certificates');
  return d.set;
})();

/** An HTTPS server on [::1] that answers as an API server would: /version, a 404 Status, a watch that ends with an ERROR event. */
const apiServer = async (): Promise<{ server: Server; url: string }> => {
  const server = createServer({ ...issued.serving }, (req, res) => {
    if (req.url?.startsWith('/echo') === true)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, url: req.url }));
    if (req.url === '/version')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"gitVersion":"v1.34.4"}');
    if (req.url?.startsWith('/api/v1/secrets?watch=true') === true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } })}\n`);
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } })}\n`,
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"kind":"Status","reason":"NotFound","message":"the server could not find the requested resource"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  return { server, url: `https://[::1]:${(server.address() as AddressInfo).port}` };
};

const connection = (server: string): Connection => ({
  server,
  source: 'test',
  ca: Buffer.from(issued.caBundle),
  insecureSkipTLSVerify: false,
  authorization: () => undefined,
});

describe("the adapter's client over IPv6", () => {
  let api: { server: Server; url: string };
  let http: KubeHttp;
  beforeAll(async () => {
    api = await apiServer();
    http = new KubeHttp(connection(api.url));
  });
  afterAll(async () => {
    http.close();
    await new Promise((resolve) => api.server.close(resolve));
  });

  it('reaches an HTTPS API server on [::1], verifying its certificate for the IP address', async () => {
    expect(await http.request('get version', 'GET', '/version')).toEqual({ gitVersion: 'v1.34.4' });
  });

  it('a failure status comes back as one AdapterError from the Status the server sent', async () => {
    const e: unknown = await http
      .request('get Setting x', 'GET', '/apis/harvesterhci.io/v1beta1/settings/x')
      .catch((error: unknown) => error);
    expect(e).toBeInstanceOf(AdapterError);
    expect(e).toMatchObject({
      kind: 'NotFound',
      message: 'get Setting x: the server could not find the requested resource',
      detail: { status: 404, reason: 'NotFound' },
    });
  });

  it('every write carries the field manager of the client (unless it names its own); reads carry none', async () => {
    const managed = new KubeHttp(connection(api.url), { fieldManager: 'kubevirt-migration-webhook' });
    try {
      const sent = async (method: string, query?: Record<string, string>) =>
        (
          (await managed.request('echo', method, '/echo', {
            ...(method === 'GET' ? {} : { body: {} }),
            ...(query === undefined ? {} : { query }),
          })) as {
            url: string;
          }
        ).url;
      expect(await sent('POST')).toBe('/echo?fieldManager=kubevirt-migration-webhook');
      expect(await sent('PUT')).toBe('/echo?fieldManager=kubevirt-migration-webhook');
      expect(await sent('PATCH', { dryRun: 'All' })).toBe('/echo?dryRun=All&fieldManager=kubevirt-migration-webhook');
      expect(await sent('PATCH', { fieldManager: 'kubevirt-migration-cli' })).toBe(
        '/echo?fieldManager=kubevirt-migration-cli',
      );
      expect(await sent('GET')).toBe('/echo');
      expect(await sent('DELETE')).toBe('/echo');
    } finally {
      managed.close();
    }
  });

  it('streams watch events', async () => {
    const events: WatchEvent['type'][] = [];
    const handle = http.watch(
      'watch secrets',
      '/api/v1/secrets',
      {},
      { onEvent: (e) => events.push(e.type), onConnected: () => undefined, idleMs: 5000 },
    );
    await handle.done;
    expect(events).toEqual(['ADDED', 'ERROR']);
  });
});
