/**
 * The one mapping of API errors. client-node throws ApiException (and fetch throws network
 * errors); above this module everything sees only this small tagged type.
 */
export type AdapterErrorKind = 'NotFound' | 'Conflict' | 'Forbidden' | 'Unauthorized' | 'Invalid' | 'Unavailable' | 'Other';

export interface AdapterError {
  readonly _tag: 'AdapterError';
  readonly kind: AdapterErrorKind;
  /** HTTP status when the API server answered. */
  readonly status?: number;
  readonly message: string;
}

const kindOfStatus = (status: number): AdapterErrorKind => {
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 403) return 'Forbidden';
  if (status === 401) return 'Unauthorized';
  if (status === 400 || status === 422) return 'Invalid';
  if (status === 410 || status === 429 || status >= 500) return 'Unavailable';
  return 'Other';
};

/** The message of a Kubernetes Status body, when the body is one. */
const statusMessage = (body: unknown): string | undefined => {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.slice(0, 500);
    }
  }
  const m = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : undefined;
};

export const isAdapterError = (e: unknown): e is AdapterError =>
  typeof e === 'object' && e !== null && (e as { _tag?: unknown })._tag === 'AdapterError';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

const networkCode = (e: unknown): string | undefined => {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

/** Converts anything a client call threw into an AdapterError. */
export const toAdapterError = (e: unknown, what: string): AdapterError => {
  if (isAdapterError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number' && code >= 100 && code < 600) {
    const detail = statusMessage((e as { body?: unknown }).body) ?? `HTTP ${code}`;
    return { _tag: 'AdapterError', kind: kindOfStatus(code), status: code, message: `${what}: ${detail}` };
  }
  const net = networkCode(e);
  if (net !== undefined) return { _tag: 'AdapterError', kind: 'Unavailable', message: `${what}: API server unreachable (${net})` };
  const message = e instanceof Error ? e.message : String(e);
  const unavailable = /fetch failed|socket hang up|network|abort/i.test(message);
  return { _tag: 'AdapterError', kind: unavailable ? 'Unavailable' : 'Other', message: `${what}: ${message}` };
};

/** Runs a client call, turning whatever it throws into an AdapterError (thrown as a value). */
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
    if (isAdapterError(e) && e.kind === 'NotFound') return undefined;
    throw e;
  }
};

/** The message of anything thrown: an Error, an AdapterError value, or something else. */
export const errorMessage = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
