import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';

import { errorMessage } from '@kubevirt-migration/service';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';

import { type AdmissionRequest, admissionReview, decodeAdmissionReview } from './admission.js';
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
  readonly review: (
    request: AdmissionRequest,
  ) => { readonly allowed: boolean } | Promise<{ readonly allowed: boolean }>;
  /** Other paths (probes), answered before a 404. */
  readonly other?: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly maxBodyBytes?: number;
  /** A client that has not sent its whole request by then gets 408. */
  readonly requestTimeoutMs?: number;
  readonly onOutcome?: (outcome: AdmissionOutcome) => void;
  /**
   * At `close()`, how long the server keeps serving (every answer with `Connection: close`) before it
   * stops accepting, so that the API server drops its pooled connections and the Service its endpoint.
   */
  readonly drainDelayMs?: number;
  /** After the drain delay, how long requests in flight may take before their connections are cut (default: the request timeout). */
  readonly inFlightTimeoutMs?: number;
}

/** The server, not yet listening (the caller starts it, so that a busy port is its error to report). */
export interface AdmissionServer {
  readonly server: Server;
  /** True from `close()` on: readiness should fail from then. */
  readonly draining: () => boolean;
  /**
   * Graceful shutdown: serves for the drain delay with `Connection: close` on every answer, then stops
   * accepting, closes idle connections, lets requests in flight finish, and cuts what remains after
   * the in-flight timeout. Resolves when every connection is closed.
   */
  readonly close: () => Promise<void>;
}

/** The API server sends at most a few MiB (two objects of at most 1.5 MiB each, and metadata). */
const DEFAULT_MAX_BODY = 3 * 1024 * 1024;

const HANDSHAKE_TIMEOUT_MS = 5000;
const IDLE_TIMEOUT_MS = 30000;

const send = (res: ServerResponse, status: number, body: object, extra: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text).toString(),
      ...extra,
    })
    .end(text);
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

const isPromise = <T>(u: T | Promise<T>): u is Promise<T> =>
  typeof (u as { then?: unknown } | undefined)?.then === 'function';

/** One request being answered; `record` reports its outcome (once per answer). */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly record: (result: AdmissionOutcome['result'], status: number, reason?: string) => void;
}

const exchange = (o: AdmissionServerOptions, req: IncomingMessage, res: ServerResponse): Exchange => {
  const started = performance.now();
  return {
    req,
    res,
    record: (result, status, reason) =>
      o.onOutcome?.({
        result,
        status,
        seconds: (performance.now() - started) / 1000,
        ...(reason === undefined ? {} : { reason }),
      }),
  };
};

const reject = (x: Exchange, status: number, error: string, extra: Record<string, string> = {}): void => {
  send(x.res, status, { error }, extra);
  x.record('rejected', status, error);
};

/**
 * Over the limit: answer at once and discard the rest of the body (so the client reads the answer
 * rather than a reset); the request timeout bounds a client that never stops sending.
 */
const tooLarge = (x: Exchange, error: string): void => {
  reject(x, 413, error);
  x.req.resume();
};

/** A fault of the server itself (a bug) answers 500 and is counted; it never ends the process. */
const internalError = (x: Exchange, e: unknown): void => {
  const message = `internal error: ${errorMessage(e)}`;
  if (!x.res.headersSent) send(x.res, 500, { error: message });
  try {
    x.record('error', 500, message);
  } catch {
    // the outcome hook itself is what failed: there is no one left to tell
  }
};

const guard = (x: Exchange, work: () => void): void => {
  try {
    work();
  } catch (e) {
    internalError(x, e);
  }
};

/** The media type of the request: what the API server sends, taken as it is; anything else read with its parameters dropped. */
const mediaType = (req: IncomingMessage): string => {
  const given = req.headers['content-type'] ?? '';
  return given === 'application/json' ? given : (given.split(';')[0]?.trim().toLowerCase() ?? '');
};

/** Why a request to the review path is refused before its body is read (undefined: it is not). */
const refusal = (
  req: IncomingMessage,
  path: string,
): { readonly status: number; readonly error: string; readonly extra?: Record<string, string> } | undefined => {
  if (req.method !== 'POST') return { status: 405, error: `use POST for ${path}`, extra: { allow: 'POST' } };
  const type = mediaType(req);
  if (type !== 'application/json')
    return { status: 415, error: `content type must be application/json, not ${JSON.stringify(type)}` };
  return undefined;
};

/** The AdmissionReview in a body, or why it is not one (for a 400). */
const decodeBody = (body: Buffer): E.Either<string, AdmissionRequest> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return E.left(`the body is not JSON: ${errorMessage(e)}`);
  }
  return pipe(
    decodeAdmissionReview(parsed),
    E.mapLeft((why) => `not an AdmissionReview v1: ${why}`),
  );
};

/** Runs the review and answers with its decision; a review that throws or rejects is answered as a denial of code 500. */
const answerReview = (x: Exchange, review: AdmissionServerOptions['review'], request: AdmissionRequest): void => {
  const failed = (e: unknown): void => {
    const message = `internal error while reviewing: ${errorMessage(e)}`;
    send(
      x.res,
      200,
      admissionReview(request.uid, {
        allowed: false,
        status: { status: 'Failure', code: 500, reason: 'InternalError', message },
      }),
    );
    x.record('error', 200, message);
  };
  const answer = (response: { readonly allowed: boolean }): void => {
    send(x.res, 200, admissionReview(request.uid, response));
    x.record(response.allowed ? 'allowed' : 'denied', 200);
  };
  let response: ReturnType<AdmissionServerOptions['review']>;
  try {
    response = review(request);
  } catch (e) {
    return failed(e);
  }
  if (isPromise(response)) response.then(answer, failed).catch((e: unknown) => internalError(x, e));
  else answer(response);
};

/** What is done with a body once it is in (synchronous unless the review is not). */
const onBody =
  (x: Exchange, o: AdmissionServerOptions, max: number) =>
  (body: E.Either<number, Buffer>): void =>
    guard(x, () => {
      if (E.isLeft(body))
        return body.left === 413
          ? tooLarge(x, `body is over the limit of ${max} bytes`)
          : reject(x, 400, 'the request body could not be read');
      const request = decodeBody(body.right);
      if (E.isLeft(request)) return reject(x, 400, request.left);
      answerReview(x, o.review, request.right);
    });

/** Everything up to the body is checked at once; the rest runs when the body is in. */
const handle = (o: AdmissionServerOptions, max: number, x: Exchange): void => {
  const url = x.req.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path !== o.path) {
    if (o.other?.(x.req, x.res) !== true)
      send(x.res, 404, { error: `no such path ${path}; AdmissionReviews go to POST ${o.path}` });
    return;
  }
  const refused = refusal(x.req, o.path);
  if (refused !== undefined) return reject(x, refused.status, refused.error, refused.extra);
  const declared = Number(x.req.headers['content-length'] ?? '0');
  if (declared > max) return tooLarge(x, `body of ${declared} bytes is over the limit of ${max}`);
  readBody(x.req, max, onBody(x, o, max));
};

/** Timeouts of a slow or silent client, and the answers to TLS and HTTP errors of a client (counted as rejected). */
const bound = (server: Server, requestTimeout: number, onOutcome: AdmissionServerOptions['onOutcome']): void => {
  const rejected = (status: number, reason: string): void =>
    onOutcome?.({ result: 'rejected', status, seconds: 0, reason });
  server.headersTimeout = Math.min(requestTimeout, 10000);
  // the API server keeps its connections busy; an idle one is closed after this long
  server.keepAliveTimeout = IDLE_TIMEOUT_MS;
  // a connection that sends nothing at all (not even a request) is closed too
  server.timeout = Math.max(requestTimeout, IDLE_TIMEOUT_MS);
  server.on('tlsClientError', (e: Error & { code?: string }) => rejected(0, `TLS: ${e.code ?? e.message}`));
  server.on('clientError', (e: Error & { code?: string }, socket: Duplex) => {
    const timedOut = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' || e.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    rejected(timedOut ? 408 : 400, `client error: ${e.code ?? e.message}`);
    if (socket.writable)
      socket.end(
        timedOut
          ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'
          : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      );
    socket.destroy();
  });
};

/**
 * The HTTPS server of a validating webhook (TLS 1.2 or newer), serving the credentials it is given
 * and following their changes. Hostile input gets a clear 4xx: a wrong method 405, a wrong content
 * type 415, a body over the limit 413, a body that is not JSON or not an AdmissionReview 400, a slow
 * client 408; the server keeps serving.
 */
export const createAdmissionServer = (o: AdmissionServerOptions): AdmissionServer => {
  const max = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const requestTimeout = o.requestTimeoutMs ?? 10000;
  let draining = false;
  // answers not yet begun: told Connection: close when shutdown starts
  const unanswered = new Set<ServerResponse>();
  // Node checks request timeouts every connectionsCheckingInterval (30 s by default): check often
  // enough that a slow client is cut off close to its deadline.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, requestTimeout / 4));
  const server: Server = createServer(
    // a TLS handshake must finish in 5 s (Node's default is 120 s)
    {
      ...o.credentials.pair(),
      minVersion: 'TLSv1.2',
      requestTimeout,
      connectionsCheckingInterval,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    (req, res) => {
      // shutting down: the client is told not to send another request on this connection
      if (draining) res.setHeader('connection', 'close');
      else {
        unanswered.add(res);
        res.on('close', () => unanswered.delete(res));
      }
      const x = exchange(o, req, res);
      guard(x, () => handle(o, max, x));
    },
  );
  bound(server, requestTimeout, o.onOutcome);
  o.credentials.onChange(() => server.setSecureContext({ ...o.credentials.pair(), minVersion: 'TLSv1.2' }));
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((done) => {
      draining = true;
      for (const res of unanswered) if (!res.headersSent) res.setHeader('connection', 'close');
      unanswered.clear();
      setTimeout(() => {
        const cut = setTimeout(() => server.closeAllConnections(), o.inFlightTimeoutMs ?? requestTimeout);
        server.close(() => {
          clearTimeout(cut);
          done();
        });
        server.closeIdleConnections();
      }, o.drainDelayMs ?? 0);
    }));
  return { server, draining: () => draining, close };
};
