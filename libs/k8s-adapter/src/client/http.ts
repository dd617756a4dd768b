import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

import { AdapterError, apiError, decodeStatus, retryAfterMs, transportError } from './errors.js';
import type { Connection } from './kubeconfig.js';

/**
 * The REST transport of the adapter: JSON requests and watch streams to the API server over
 * node:http(s), with keep-alive, the connection's TLS material and credentials, and timeouts.
 * Written out rather than taken from @kubernetes/client-node: that client costs about 80 MiB of
 * memory in each process that loads it (its generated models and auth plugins), for the handful
 * of calls this project makes. Every failure is an AdapterError naming what was attempted.
 */
export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: 'application/json' | 'application/json-patch+json' | 'application/merge-patch+json';
  readonly timeoutMs?: number;
}

/** One event of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

/** What a watch calls: `onEvent` per event, `onConnected` once the server accepted it; `idleMs` without an event fails it. */
export interface WatchListener {
  readonly onEvent: (e: WatchEvent) => void;
  readonly onConnected: () => void;
  readonly idleMs: number;
}

export interface WatchHandle {
  /** Resolves when the stream ends cleanly (the server's timeout); rejects with an AdapterError. */
  readonly done: Promise<void>;
  readonly abort: () => void;
}

const DEFAULT_TIMEOUT_MS = 30000;
/** Longest answer read into memory (a list of 10,000 VMIMs is a few MiB). */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** Longest watch line (one object); the API server's own limit is about 3 MiB. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

const queryString = (query: RequestOptions['query']): string => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
};

export interface KubeHttpOptions {
  /**
   * The field manager of every write (POST, PUT, PATCH) that does not name its own, as
   * controller-runtime's client.WithFieldOwner: so that no write of a program goes without one.
   */
  readonly fieldManager?: string;
}

/**
 * Hands each complete line of a watch's body to `onEvent` as an event; a line longer than
 * MAX_LINE_BYTES or one that is not JSON ends the watch with the reason.
 */
const streamEvents = ({
  res,
  req,
  what,
  onEvent,
}: {
  readonly res: IncomingMessage;
  readonly req: ReturnType<typeof httpRequest>;
  readonly what: string;
  readonly onEvent: (event: WatchEvent) => void;
}): void => {
  let pending = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    pending += chunk;
    if (pending.length > MAX_LINE_BYTES) {
      req.destroy(new AdapterError('Other', `${what}: a watch event longer than ${MAX_LINE_BYTES} bytes`));
      return;
    }
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line === '') continue;
      try {
        onEvent(JSON.parse(line) as WatchEvent);
      } catch (e) {
        req.destroy(transportError(what, e));
        return;
      }
    }
  });
};

/** Methods that write, and so carry a field manager. */
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

export class KubeHttp {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;
  private readonly base: URL;

  constructor(
    readonly connection: Connection,
    private readonly options: KubeHttpOptions = {},
  ) {
    this.base = new URL(connection.server);
    this.secure = this.base.protocol === 'https:';
    this.agent = this.secure
      ? new HttpsAgent({
          keepAlive: true,
          ...(connection.ca === undefined ? {} : { ca: connection.ca }),
          ...(connection.cert === undefined ? {} : { cert: connection.cert }),
          ...(connection.key === undefined ? {} : { key: connection.key }),
          ...(connection.tlsServerName === undefined ? {} : { servername: connection.tlsServerName }),
          rejectUnauthorized: !connection.insecureSkipTLSVerify,
        })
      : new HttpAgent({ keepAlive: true });
  }

  private open(method: string, path: string, o: RequestOptions, accept: string): ReturnType<typeof httpRequest> {
    const authorization = this.connection.authorization();
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = {
      accept,
      'user-agent': 'kubevirt-migration',
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined
        ? {}
        : { 'content-type': o.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    };
    const prefix = this.base.pathname.replace(/\/+$/, '');
    // urlToHttpOptions gives an IPv6 host without its brackets ([::1] would be looked up as a name)
    const { hostname, port } = urlToHttpOptions(this.base);
    const options = {
      method,
      hostname,
      port,
      path: `${prefix}${path}${queryString(this.withFieldManager(method, o.query))}`,
      headers,
      agent: this.agent,
    };
    const req = this.secure ? httpsRequest(options) : httpRequest(options);
    req.end(body);
    return req;
  }

  private withFieldManager(method: string, query: RequestOptions['query']): RequestOptions['query'] {
    const fieldManager = this.options.fieldManager;
    return fieldManager === undefined || !WRITES.has(method) || query?.['fieldManager'] !== undefined
      ? query
      : { ...query, fieldManager };
  }

  /** A request whose answer is JSON; a status of 400 or more is thrown as an AdapterError. */
  request(what: string, method: string, path: string, o: RequestOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, o, 'application/json');
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      req.setTimeout(timeoutMs, () =>
        req.destroy(new AdapterError('Unavailable', `${what}: no answer within ${timeoutMs / 1000} s`)),
      );
      req.on('error', (e) => reject(transportError(what, e)));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES)
            req.destroy(new AdapterError('Other', `${what}: answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', (e) => reject(transportError(what, e)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(apiError(what, status, decodeStatus(text), retryAfterMs(res.headers)));
          try {
            resolve(text === '' ? undefined : JSON.parse(text));
          } catch {
            reject(
              new AdapterError('Other', `${what}: the API server answered with text that is not JSON`, { status }),
            );
          }
        });
      });
    });
  }

  /**
   * A watch: newline-delimited JSON events handed to `onEvent` as they arrive. `onConnected` runs
   * when the server accepted the watch (status 200). No event for `idleMs` (the server sends
   * bookmarks and ends the watch by its own timeout well before) is a failure.
   */
  watch(
    what: string,
    path: string,
    query: RequestOptions['query'],
    { onEvent, onConnected, idleMs }: WatchListener,
  ): WatchHandle {
    let req: ReturnType<typeof httpRequest> | undefined;
    let aborted = false;
    const done = new Promise<void>((resolve, reject) => {
      req = this.open('GET', path, { query: { ...query, watch: 'true' } }, 'application/json');
      req.setTimeout(idleMs, () =>
        req?.destroy(new AdapterError('Unavailable', `${what}: no event for ${idleMs / 1000} s`)),
      );
      req.on('error', (e) => (aborted ? resolve() : reject(transportError(what, e))));
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(
              apiError(what, status, decodeStatus(Buffer.concat(chunks).toString('utf8')), retryAfterMs(res.headers)),
            ),
          );
          return;
        }
        onConnected();
        if (req !== undefined) streamEvents({ res, req, what, onEvent });
        res.on('error', (e) => (aborted ? resolve() : reject(transportError(what, e))));
        res.on('end', () => resolve());
      });
    });
    return {
      done,
      abort: () => {
        aborted = true;
        req?.destroy();
      },
    };
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
