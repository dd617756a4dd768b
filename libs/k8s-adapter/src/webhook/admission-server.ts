import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage } from '@kubevirt-migration/service';
import { admissionReview, decodeAdmissionReview, type AdmissionRequest } from './admission.js';
import type { ServingCredentials } from './serving-credentials.js';

/** What happened to one request, for metrics and logs. */
export interface AdmissionOutcome {
  readonly result: 'allowed' | 'denied' | 'error' | 'rejected';
  readonly status: number;
  readonly seconds: number;
  readonly reason?: string;
}

export interface AdmissionServerOptions {
  /** The serving certificate; a change is served from the next TLS handshake on, without a restart. */
  readonly credentials: ServingCredentials;
  /** The path the API server posts AdmissionReviews to. */
  readonly path: string;
  /** The decision; it must not throw, but if it does the request is denied, never crashed. */
  readonly review: (request: AdmissionRequest) => { readonly allowed: boolean } | Promise<{ readonly allowed: boolean }>;
  /** Other paths (probes), answered before a 404. */
  readonly other?: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly maxBodyBytes?: number;
  /** A client that has not sent its whole request by then gets 408. */
  readonly requestTimeoutMs?: number;
  readonly onOutcome?: (outcome: AdmissionOutcome) => void;
}

/** The server, not yet listening (the caller starts it, so that a busy port is its error to report). */
export interface AdmissionServer {
  readonly server: Server;
  readonly close: () => Promise<void>;
}

/** The API server sends at most a few MiB (two objects of at most 1.5 MiB each, and metadata). */
const DEFAULT_MAX_BODY = 3 * 1024 * 1024;

const HANDSHAKE_TIMEOUT_MS = 5000;
const IDLE_TIMEOUT_MS = 30000;

const send = (res: ServerResponse, status: number, body: object, extra: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...extra }).end(text);
};

/**
 * Collects a request body of at most `max` bytes; `done` gets it, or 413 (over the limit) or 400
 * (the request broke off). A body in one chunk is not copied.
 */
const readBody = (req: IncomingMessage, max: number, done: (body: E.Either<number, Buffer>) => void): void => {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (body: E.Either<number, Buffer>) => {
    if (finished) return;
    finished = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > max) return finish(E.left(413));
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => finish(E.right(more === undefined ? (first ?? Buffer.alloc(0)) : Buffer.concat(more))));
  req.on('error', () => finish(E.left(400)));
};

const isPromise = <T>(u: T | Promise<T>): u is Promise<T> => typeof (u as { then?: unknown } | undefined)?.then === 'function';

/**
 * The HTTPS server of a validating webhook (TLS 1.2 or newer), serving the credentials it is given
 * and following their changes. Hostile input
 * gets a clear 4xx: a wrong method 405, a wrong content type 415, a body over the limit 413, a body
 * that is not JSON or not an AdmissionReview 400, a slow client 408; the server keeps serving.
 */
export const createAdmissionServer = (o: AdmissionServerOptions): AdmissionServer => {
  const max = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const outcome = (started: number, result: AdmissionOutcome['result'], status: number, reason?: string) =>
    o.onOutcome?.({ result, status, seconds: (performance.now() - started) / 1000, ...(reason === undefined ? {} : { reason }) });

  /** A fault of the server itself (a bug) answers 500 and is counted; it never ends the process. */
  const internalError = (res: ServerResponse, started: number, e: unknown) => {
    const message = `internal error: ${errorMessage(e)}`;
    if (!res.headersSent) send(res, 500, { error: message });
    try {
      outcome(started, 'error', 500, message);
    } catch {
      // the outcome hook itself is what failed: there is no one left to tell
    }
  };
  const guard = (res: ServerResponse, started: number, work: () => void): void => {
    try {
      work();
    } catch (e) {
      internalError(res, started, e);
    }
  };

  /** Everything up to the body is checked at once; the rest runs when the body is in (and is synchronous unless the review is not). */
  const handle = (req: IncomingMessage, res: ServerResponse, started: number): void => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path !== o.path) {
      if (o.other?.(req, res) === true) return;
      send(res, 404, { error: `no such path ${path}; AdmissionReviews go to POST ${o.path}` });
      return;
    }
    const reject = (status: number, error: string, extra: Record<string, string> = {}) => {
      send(res, status, { error }, extra);
      outcome(started, 'rejected', status, error);
    };
    if (req.method !== 'POST') return reject(405, `use POST for ${o.path}`, { allow: 'POST' });
    const given = req.headers['content-type'] ?? '';
    // what the API server sends, taken as it is; anything else is read as a media type with parameters
    const type = given === 'application/json' ? given : (given.split(';')[0]?.trim().toLowerCase() ?? '');
    if (type !== 'application/json') return reject(415, `content type must be application/json, not ${JSON.stringify(type)}`);
    // Over the limit: answer at once and discard the rest of the body (so the client reads the
    // answer rather than a reset); the request timeout bounds a client that never stops sending.
    const tooLarge = (error: string) => {
      reject(413, error);
      req.resume();
    };
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > max) return tooLarge(`body of ${declared} bytes is over the limit of ${max}`);
    readBody(req, max, (body) =>
      guard(res, started, () => {
        if (E.isLeft(body)) {
          if (body.left === 413) tooLarge(`body is over the limit of ${max} bytes`);
          else reject(400, 'the request body could not be read');
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.right.toString('utf8'));
        } catch (e) {
          return reject(400, `the body is not JSON: ${errorMessage(e)}`);
        }
        const request = decodeAdmissionReview(parsed);
        if (E.isLeft(request)) return reject(400, `not an AdmissionReview v1: ${request.left}`);
        const uid = request.right.uid;
        const failed = (e: unknown) => {
          const message = `internal error while reviewing: ${errorMessage(e)}`;
          send(res, 200, admissionReview(uid, { allowed: false, status: { status: 'Failure', code: 500, reason: 'InternalError', message } }));
          outcome(started, 'error', 200, message);
        };
        const answer = (response: { readonly allowed: boolean }) => {
          send(res, 200, admissionReview(uid, response));
          outcome(started, response.allowed ? 'allowed' : 'denied', 200);
        };
        let response: ReturnType<AdmissionServerOptions['review']>;
        try {
          response = o.review(request.right);
        } catch (e) {
          return failed(e);
        }
        if (isPromise(response)) response.then(answer, failed).catch((e: unknown) => internalError(res, started, e));
        else answer(response);
      }),
    );
  };

  const requestTimeout = o.requestTimeoutMs ?? 10000;
  // Node checks request timeouts every connectionsCheckingInterval (30 s by default): check often
  // enough that a slow client is cut off close to its deadline.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, requestTimeout / 4));
  const server: Server = createServer(
    // a TLS handshake must finish in 5 s (Node's default is 120 s)
    { ...o.credentials.pair(), minVersion: 'TLSv1.2', requestTimeout, connectionsCheckingInterval, handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
    (req, res) => {
      const started = performance.now();
      guard(res, started, () => handle(req, res, started));
    },
  );
  server.headersTimeout = Math.min(requestTimeout, 10000);
  // the API server keeps its connections busy; an idle one is closed after this long
  server.keepAliveTimeout = IDLE_TIMEOUT_MS;
  // a connection that sends nothing at all (not even a request) is closed too
  server.timeout = Math.max(requestTimeout, IDLE_TIMEOUT_MS);
  server.on('tlsClientError', (e: Error & { code?: string }) => outcome(performance.now(), 'rejected', 0, `TLS: ${e.code ?? e.message}`));
  server.on('clientError', (e: Error & { code?: string }, socket: Duplex) => {
    const timedOut = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' || e.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    outcome(performance.now(), 'rejected', timedOut ? 408 : 400, `client error: ${e.code ?? e.message}`);
    if (socket.writable)
      socket.end(timedOut ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  o.credentials.onChange(() => server.setSecureContext({ ...o.credentials.pair(), minVersion: 'TLSv1.2' }));

  return {
    server,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
};
