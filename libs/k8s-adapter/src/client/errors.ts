/**
 * The one error type of the adapter's client. An answer of the API server (`apiError`, from the
 * HTTP status and the Status body's `reason`) and a failure of the transport (`transportError`)
 * are each converted once, where they happen; above that everything sees only AdapterError and
 * branches on its `kind`, never on a message. `fromClientNode` converts what client-node throws,
 * for the tests and the control plane that still use it.
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
export const isKind = (e: unknown, ...kinds: readonly AdapterErrorKind[]): e is AdapterError =>
  isAdapterError(e) && kinds.includes(e.kind);

/** The fields of a `metav1.Status` that decide an error's kind and message. */
export interface ApiStatus {
  readonly message?: string;
  readonly reason?: string;
  /** How many `details.causes` it lists (a JSON Patch test that failed has none). */
  readonly causes: number;
}

/**
 * The Status of a failed answer, from its body: parsed JSON text (a watch's ERROR event), or the text
 * of the answer, which is JSON from the API server and may be anything from a proxy in between.
 */
export const decodeStatus = (body: unknown): ApiStatus => {
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

const kindOf = (status: number, body: ApiStatus): AdapterErrorKind => {
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

/** The server's Retry-After in milliseconds, when it sent one (429, 503). */
export const retryAfterMs = (headers: unknown): number | undefined => {
  const value =
    typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['retry-after'] : undefined;
  const seconds = Number(value);
  return typeof value === 'string' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

/** The one constructor of an answer of the API server with a failure `status` (400 or more), naming `what` was attempted. */
export const apiError = (what: string, status: number, body: ApiStatus, retryAfter?: number): AdapterError =>
  new AdapterError(kindOf(status, body), `${what}: ${body.message ?? `HTTP ${status}`}`, {
    status,
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });

/** What node:net and node:dns raise when the API server cannot be reached. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** ... and what undici (client-node's fetch) raises besides: only client-node errors can carry these. */
const UNDICI_CODES: ReadonlySet<string> = new Set([
  ...NETWORK_CODES,
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError']);

/** The network error code or timeout somewhere in the chain of causes, if any. */
const networkFailure = (e: unknown, codes: ReadonlySet<string>): string | undefined => {
  for (let cur: unknown = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { code, name } = cur as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && codes.has(code)) return code;
    if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return 'timed out';
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

/** An error's message followed by those of its causes ("socket hang up: read ECONNRESET"). */
const causes = (e: unknown): string => {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const message = cur instanceof Error ? cur.message : String(cur);
    if (message !== '' && !parts.includes(message)) parts.push(message);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(': ');
};

/**
 * A call that failed without an answer, as an AdapterError naming `what` was attempted: Unavailable
 * for a network error or a timeout (retry), Other for anything else. An AdapterError passes unchanged.
 */
export const transportError = (what: string, e: unknown): AdapterError => failureWithoutAnswer(what, e, NETWORK_CODES);

const failureWithoutAnswer = (what: string, e: unknown, codes: ReadonlySet<string>): AdapterError => {
  if (isAdapterError(e)) return e;
  const net = networkFailure(e, codes);
  if (net !== undefined)
    return new AdapterError('Unavailable', `${what}: API server unreachable (${net})`, {}, { cause: e });
  return new AdapterError('Other', `${what}: ${causes(e)}`, {}, { cause: e });
};

/**
 * What client-node throws (its ApiException: `code`, `body`, `headers`; or a network error of fetch)
 * as an AdapterError: for the tests and the control plane, which still use client-node.
 */
export const fromClientNode = (e: unknown, what: string): AdapterError => {
  const { code, body, headers } = (typeof e === 'object' && e !== null ? e : {}) as {
    code?: unknown;
    body?: unknown;
    headers?: unknown;
  };
  if (!isAdapterError(e) && typeof code === 'number' && code >= 100 && code < 600)
    return apiError(what, code, decodeStatus(body), retryAfterMs(headers));
  return failureWithoutAnswer(what, e, UNDICI_CODES);
};

/** Runs a client-node call, turning whatever it throws into an AdapterError. */
export const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    throw fromClientNode(e, what);
  }
};

/** Runs a read of the adapter's client, giving undefined for NotFound. */
export const orAbsent = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await call();
  } catch (e) {
    if (isKind(e, 'NotFound')) return undefined;
    throw e;
  }
};
