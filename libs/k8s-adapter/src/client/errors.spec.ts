import { AdapterError, toAdapterError, type AdapterErrorKind } from './errors.js';

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

describe('one mapping of API errors', () => {
  it.each<[string, unknown, AdapterErrorKind]>([
    ['404', answer(404, status('NotFound', 'settings "x" not found')), 'NotFound'],
    ['409 AlreadyExists', answer(409, status('AlreadyExists', 'leases "l" already exists')), 'AlreadyExists'],
    ['409 Conflict', answer(409, status('Conflict', 'the object has been modified')), 'Conflict'],
    [
      '422 without causes (a JSON Patch test that failed)',
      answer(422, status('Invalid', 'the server rejected our request due to an error in our request')),
      'TestFailed',
    ],
    ['422 with causes (a schema violation)', answer(422, status('Invalid', 'KubeVirt.kubevirt.io "kubevirt" is invalid', [{ field: 'spec' }])), 'Invalid'],
    ['400', answer(400, status('BadRequest', 'admission webhook denied the request')), 'BadRequest'],
    ['401', answer(401, status('Unauthorized', 'Unauthorized')), 'Unauthorized'],
    ['403', answer(403, status('Forbidden', 'settings is forbidden')), 'Forbidden'],
    ['410', answer(410, status('Expired', 'too old resource version')), 'Expired'],
    ['429', answer(429, status('TooManyRequests', 'storage is (re)initializing')), 'Unavailable'],
    ['500', answer(500, status('InternalError', 'etcd')), 'Unavailable'],
    ['503', answer(503, 'service unavailable'), 'Unavailable'],
    ['418', answer(418, ''), 'Other'],
    ['a refused connection', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'Unavailable'],
    ['a reset deep in the causes', new Error('a', { cause: new Error('b', { cause: Object.assign(new Error('c'), { code: 'ECONNRESET' }) }) }), 'Unavailable'],
    ['a timeout', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'Unavailable'],
    ['anything else', new Error('boom'), 'Other'],
    ['not even an Error', 'boom', 'Other'],
  ])('%s is %s', (_name, thrown, kind) => {
    const e = toAdapterError(thrown, 'get Setting kubevirt-migration');
    expect(e).toBeInstanceOf(AdapterError);
    expect(e).toBeInstanceOf(Error);
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(/^get Setting kubevirt-migration: /);
  });

  it('a message does not decide the kind: an Error that says "fetch failed" without a network cause is Other', () => {
    expect(toAdapterError(new Error('fetch failed: network socket hang up abort'), 'x').kind).toBe('Other');
  });

  it("keeps the server's message, status, reason and Retry-After", () => {
    const e = toAdapterError(answer(429, status('TooManyRequests', 'storage is (re)initializing'), { 'retry-after': '1' }), 'list VMIMs');
    expect(e.message).toBe('list VMIMs: storage is (re)initializing');
    expect(e.detail).toEqual({ status: 429, reason: 'TooManyRequests', retryAfterMs: 1000 });
    expect(e.retryAfterMs).toBe(1000);
  });

  it('an AdapterError passes through unchanged', () => {
    const e = new AdapterError('Conflict', 'x');
    expect(toAdapterError(e, 'y')).toBe(e);
  });
});
