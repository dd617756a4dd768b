/**
 * The one mapping of API errors. client-node throws ApiException (and fetch throws network
 * errors); above this module everything sees only AdapterError, and branches on its `kind`,
 * never on a message. The kind comes from the HTTP status and the Status body's `reason`.
 */
export type AdapterErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  /**
   * A JSON Patch that does not apply to the object as it is now: a failed `test`, or an op whose
   * path no longer exists. The API server answers 422 without causes; the object changed since it
   * was read, so the caller plans again from a fresh read.
   */
  | 'TestFailed'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  /** The server cannot answer now (unreachable, timeout, 429, 5xx): retry. */
  | 'Unavailable'
  /** A watch's resourceVersion is too old (410): list again. */
  | 'Expired'
  | 'Other';

export class AdapterError extends Error {
  override readonly name = 'AdapterError';

  constructor(
    readonly kind: AdapterErrorKind,
    message: string,
    /** What the API server said, when it answered. */
    readonly detail: { readonly status?: number; readonly reason?: string; readonly retryAfterMs?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get status(): number | undefined {
    return this.detail.status;
  }

  /** The server's Retry-After, when it sent one (429, 503). */
  get retryAfterMs(): number | undefined {
    return this.detail.retryAfterMs;
  }
}

export const isAdapterError = (e: unknown): e is AdapterError => e instanceof AdapterError;

/** True for an AdapterError of one of these kinds. */
export const isKind = (e: unknown, ...kinds: readonly AdapterErrorKind[]): e is AdapterError => isAdapterError(e) && kinds.includes(e.kind);

interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
  readonly causes: number;
}

const parseStatus = (body: unknown): StatusBody => {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === '' ? { causes: 0 } : { message: body.slice(0, 500), causes: 0 };
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return { causes: 0 };
  const s = parsed as { message?: unknown; reason?: unknown; details?: { causes?: unknown } };
  return {
    ...(typeof s.message === 'string' ? { message: s.message } : {}),
    ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
    causes: Array.isArray(s.details?.causes) ? s.details.causes.length : 0,
  };
};

const kindOf = (status: number, body: StatusBody): AdapterErrorKind => {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return body.reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
    case 410:
      return 'Expired';
    case 422:
      return body.causes === 0 && body.reason === 'Invalid' ? 'TestFailed' : 'Invalid';
    case 429:
      return 'Unavailable';
    default:
      return status >= 500 ? 'Unavailable' : 'Other';
  }
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError']);

/** The network error code or timeout somewhere in the chain of causes, if any. */
const networkFailure = (e: unknown): string | undefined => {
  for (let cur: unknown = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { code, name } = cur as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return 'timed out';
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

const retryAfterMs = (headers: unknown): number | undefined => {
  const value = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['retry-after'] : undefined;
  const seconds = Number(value);
  return typeof value === 'string' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

/** Converts anything a client call threw into an AdapterError naming `what` was attempted. */
export const toAdapterError = (e: unknown, what: string): AdapterError => {
  if (isAdapterError(e)) return e;
  const { code, body, headers } = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; body?: unknown; headers?: unknown };
  if (typeof code === 'number' && code >= 100 && code < 600) {
    const status = parseStatus(body);
    const after = retryAfterMs(headers);
    return new AdapterError(kindOf(code, status), `${what}: ${status.message ?? `HTTP ${code}`}`, {
      status: code,
      ...(status.reason === undefined ? {} : { reason: status.reason }),
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  const net = networkFailure(e);
  if (net !== undefined) return new AdapterError('Unavailable', `${what}: API server unreachable (${net})`, {}, { cause: e });
  return new AdapterError('Other', `${what}: ${causes(e)}`, {}, { cause: e });
};

/** An error's message followed by those of its causes ("fetch failed: bad port"). */
const causes = (e: unknown): string => {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const message = cur instanceof Error ? cur.message : String(cur);
    if (message !== '' && !parts.includes(message)) parts.push(message);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(': ');
};

/** Runs a client call, turning whatever it throws into an AdapterError. */
export const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    throw toAdapterError(e, what);
  }
};

/** Runs a read, giving undefined for NotFound. */
export const orAbsent = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await attempt(what, call);
  } catch (e) {
    if (isKind(e, 'NotFound')) return undefined;
    throw e;
  }
};
