import {
  AdapterError,
  type AdapterErrorKind,
  apiError,
  decodeStatus,
  fromClientNode,
  transportError,
} from './errors.js';

/** What client-node throws for an answer of the API server (ApiException's fields). */
const answer = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify(body), headers });
const status = (reason: string, message: string, causes?: unknown[]) => ({
  kind: 'Status',
  status: 'Failure',
  reason,
  message,
  ...(causes === undefined ? { details: {} } : { details: { causes } }),
});

describe('client-node errors converted to the one error type', () => {
  it.each<[string, unknown, AdapterErrorKind]>([
    ['404', answer(404, status('NotFound', 'settings "x" not found')), 'NotFound'],
    ['409 AlreadyExists', answer(409, status('AlreadyExists', 'leases "l" already exists')), 'AlreadyExists'],
    ['409 Conflict', answer(409, status('Conflict', 'the object has been modified')), 'Conflict'],
    [
      '422 without causes (a JSON Patch test that failed)',
      answer(422, status('Invalid', 'the server rejected our request due to an error in our request')),
      'TestFailed',
    ],
    [
      '422 with causes (a schema violation)',
      answer(422, status('Invalid', 'KubeVirt.kubevirt.io "kubevirt" is invalid', [{ field: 'spec' }])),
      'Invalid',
    ],
    ['400', answer(400, status('BadRequest', 'admission webhook denied the request')), 'BadRequest'],
    ['401', answer(401, status('Unauthorized', 'Unauthorized')), 'Unauthorized'],
    ['403', answer(403, status('Forbidden', 'settings is forbidden')), 'Forbidden'],
    ['410', answer(410, status('Expired', 'too old resource version')), 'Expired'],
    ['429', answer(429, status('TooManyRequests', 'storage is (re)initializing')), 'Unavailable'],
    ['500', answer(500, status('InternalError', 'etcd')), 'Unavailable'],
    ['503', answer(503, 'service unavailable'), 'Unavailable'],
    ['418', answer(418, ''), 'Other'],
    [
      'a refused connection (fetch)',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      'Unavailable',
    ],
    [
      'a reset deep in the causes',
      new Error('a', { cause: new Error('b', { cause: Object.assign(new Error('c'), { code: 'ECONNRESET' }) }) }),
      'Unavailable',
    ],
    ['a timeout', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'Unavailable'],
    ['anything else', new Error('boom'), 'Other'],
    ['not even an Error', 'boom', 'Other'],
  ])('%s is %s', (_name, thrown, kind) => {
    const e = fromClientNode(thrown, 'get Setting kubevirt-migration');
    expect(e).toBeInstanceOf(AdapterError);
    expect(e).toBeInstanceOf(Error);
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(/^get Setting kubevirt-migration: /);
  });

  it('a message does not decide the kind: an Error that says "fetch failed" without a network cause is Other', () => {
    expect(fromClientNode(new Error('fetch failed: network socket hang up abort'), 'x').kind).toBe('Other');
  });

  it("keeps the server's message, status, reason and Retry-After", () => {
    const e = fromClientNode(
      answer(429, status('TooManyRequests', 'storage is (re)initializing'), { 'retry-after': '1' }),
      'list VMIMs',
    );
    expect(e.message).toBe('list VMIMs: storage is (re)initializing');
    expect(e.detail).toEqual({ status: 429, reason: 'TooManyRequests', retryAfterMs: 1000 });
    expect(e.retryAfterMs).toBe(1000);
  });

  it('an AdapterError passes through unchanged', () => {
    const e = new AdapterError('Conflict', 'x');
    expect(fromClientNode(e, 'y')).toBe(e);
  });
});

describe("the adapter's own client: one constructor per failure, converted where it happens", () => {
  it.each<[number, string, string | undefined, AdapterErrorKind]>([
    [404, 'NotFound', undefined, 'NotFound'],
    [409, 'AlreadyExists', undefined, 'AlreadyExists'],
    [409, 'Conflict', undefined, 'Conflict'],
    [410, 'Expired', undefined, 'Expired'],
    [422, 'Invalid', undefined, 'TestFailed'],
    [422, 'Invalid', 'spec', 'Invalid'],
    [429, 'TooManyRequests', undefined, 'Unavailable'],
    [503, 'ServiceUnavailable', undefined, 'Unavailable'],
    [418, 'Teapot', undefined, 'Other'],
  ])('apiError: HTTP %d with reason %s (cause %s) is %s', (code, reason, cause, kind) => {
    const body = JSON.stringify({
      kind: 'Status',
      reason,
      message: 'said the server',
      details: cause === undefined ? {} : { causes: [{ field: cause }] },
    });
    const e = apiError('patch KubeVirt', code, decodeStatus(body), 2000);
    expect(e).toBeInstanceOf(AdapterError);
    expect([e.kind, e.message, e.status, e.detail.reason, e.retryAfterMs]).toEqual([
      kind,
      'patch KubeVirt: said the server',
      code,
      reason,
      2000,
    ]);
  });

  it.each<[string, unknown, { message?: string; reason?: string; causes: number }]>([
    [
      'a Status as text',
      '{"reason":"NotFound","message":"gone","details":{"causes":[1,2]}}',
      { reason: 'NotFound', message: 'gone', causes: 2 },
    ],
    [
      'a Status already parsed (a watch ERROR event)',
      { code: 410, reason: 'Expired', message: 'too old' },
      { reason: 'Expired', message: 'too old', causes: 0 },
    ],
    ['text from a proxy', '<html>bad gateway</html>', { message: '<html>bad gateway</html>', causes: 0 }],
    ['nothing', '', { causes: 0 }],
    ['not an object', 7, { causes: 0 }],
  ])('decodeStatus of %s', (_, body, status) => {
    expect(decodeStatus(body)).toEqual(status);
  });

  it('an answer without a message names its status', () => {
    expect(apiError('get Lease', 500, decodeStatus('')).message).toBe('get Lease: HTTP 500');
  });

  it.each<[string, unknown, AdapterErrorKind, string]>([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED ::1:6443'), { code: 'ECONNREFUSED' }),
      'Unavailable',
      'list x: API server unreachable (ECONNREFUSED)',
    ],
    [
      'an unknown host',
      Object.assign(new Error('getaddrinfo ENOTFOUND api'), { code: 'ENOTFOUND' }),
      'Unavailable',
      'list x: API server unreachable (ENOTFOUND)',
    ],
    [
      'a reset under a hang-up',
      new Error('socket hang up', { cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }) }),
      'Unavailable',
      'list x: API server unreachable (ECONNRESET)',
    ],
    [
      'a TLS failure',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      'Other',
      'list x: self-signed certificate',
    ],
  ])('transportError: %s', (_, thrown, kind, message) => {
    const e = transportError('list x', thrown);
    expect([e.kind, e.message]).toEqual([kind, message]);
  });

  it("undici's codes come only from client-node (its fetch), so only fromClientNode reads them", () => {
    const socket = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(fromClientNode(socket, 'x').kind).toBe('Unavailable');
    expect(transportError('x', socket).kind).toBe('Other');
  });

  it('an AdapterError passes through transportError unchanged', () => {
    const e = new AdapterError('Unavailable', 'x: no answer within 2 s');
    expect(transportError('y', e)).toBe(e);
  });
});
