import { request } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { AdmissionRequest } from './admission.js';
import { type AdmissionOutcome, type AdmissionServerOptions, createAdmissionServer } from './admission-server.js';
import { decideCertificates } from './certificates.js';

const DAY = 86400_000;
const made = decideCertificates(
  undefined,
  { hosts: ['127.0.0.1'], servingLifetimeMs: DAY, caLifetimeMs: 10 * DAY, caOverlapMs: 0 },
  new Date(),
);
if (made.action !== 'replace') throw new Error('expected certificates');
const { serving, caBundle } = made.set;
// fixed credentials: nothing to follow, nothing to stop
const credentials = {
  pair: () => ({ cert: serving.cert, key: serving.key }),
  caBundle: () => caBundle,
  onChange: () => undefined,
  stop: () => Promise.resolve(),
};

const review = (uid: string) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, operation: 'UPDATE', object: {} },
  });

/** Starts a server with these options (and the test's credentials) on a free port of 127.0.0.1. */
const start = async (options: Omit<AdmissionServerOptions, 'credentials' | 'path'>) => {
  const s = createAdmissionServer({ credentials, path: '/validate', ...options });
  await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  return { s, port: (s.server.address() as AddressInfo).port };
};

/** One POST of `body` to /validate, trusting the test CA: status, Connection header and text, or the error that ended it. */
const postTo = (port: number, body: string, headers: Record<string, string>) =>
  new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: caBundle, headers },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** Starts a server with `review` and `onOutcome`, posts `bodies` one after another, and stops it (even when a request fails). */
const exchange = async (
  options: Pick<AdmissionServerOptions, 'review' | 'onOutcome'>,
  bodies: readonly string[],
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }[]> => {
  const { s, port } = await start(options);
  try {
    const answers: { status: number; body: unknown }[] = [];
    for (const body of bodies) {
      const { status, text } = await postTo(port, body, { 'content-type': contentType });
      answers.push({ status, body: JSON.parse(text) as unknown });
    }
    return answers;
  } finally {
    await s.close();
  }
};

const responseOf = (a: { body: unknown }) =>
  (a.body as { response: { uid: string; allowed: boolean; status?: { code: number; message: string } } }).response;

describe('the admission server: a review answered at once or later', () => {
  it('answers a review that decides at once, and one that decides later, each with its uid', async () => {
    const seen: AdmissionRequest[] = [];
    const answers = await exchange(
      {
        review: (r) => {
          seen.push(r);
          return r.uid === 'later'
            ? new Promise((resolve) => setTimeout(() => resolve({ allowed: false }), 10))
            : { allowed: true };
        },
      },
      [review('now'), review('later')],
    );
    expect(answers.map((a) => [a.status, responseOf(a).uid, responseOf(a).allowed])).toEqual([
      [200, 'now', true],
      [200, 'later', false],
    ]);
    expect(seen.map((r) => r.operation)).toEqual(['UPDATE', 'UPDATE']);
  });

  it.each<[string, AdmissionServerOptions['review']]>([
    [
      'throws',
      () => {
        throw new Error('boom');
      },
    ],
    ['rejects', () => Promise.reject(new Error('boom'))],
  ])('a review that %s denies with 500 in the answer, and the server keeps serving', async (_name, failing) => {
    const outcomes: AdmissionOutcome[] = [];
    let calls = 0;
    const answers = await exchange(
      { review: (r) => (++calls === 1 ? failing(r) : { allowed: true }), onOutcome: (o) => outcomes.push(o) },
      [review('a'), review('b')],
    );
    expect(responseOf(answers[0] ?? { body: {} })).toMatchObject({
      uid: 'a',
      allowed: false,
      status: { code: 500, message: 'internal error while reviewing: boom' },
    });
    expect(responseOf(answers[1] ?? { body: {} })).toMatchObject({ uid: 'b', allowed: true });
    expect(outcomes.map((o) => o.result)).toEqual(['error', 'allowed']);
  });

  it('a fault after the decision (here in the outcome hook) is answered as an internal error, never an uncaught exception', async () => {
    let calls = 0;
    const answers = await exchange(
      {
        review: () => ({ allowed: true }),
        onOutcome: () => {
          if (++calls === 1) throw new Error('hook broke');
        },
      },
      [review('a'), review('b')],
    );
    // the answer was already sent when the hook failed: the client has it; the next request is served
    expect(answers.map((a) => [a.status, responseOf(a).allowed])).toEqual([
      [200, true],
      [200, true],
    ]);
  });

  it('a body sent in many chunks is read whole', async () => {
    const padded = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'big', operation: 'UPDATE', object: { pad: 'x'.repeat(200_000) } },
    });
    let size = 0;
    const answers = await exchange(
      {
        review: (r) => {
          size = JSON.stringify(r.object).length;
          return { allowed: true };
        },
      },
      [padded],
    );
    expect(responseOf(answers[0] ?? { body: {} }).uid).toBe('big');
    expect(size).toBe(JSON.stringify({ pad: 'x'.repeat(200_000) }).length);
  });
});

describe('the admission server: a broken outcome hook', () => {
  it('a hook that always throws does not end the process; every client still gets its answer', async () => {
    const answers = await exchange(
      {
        review: () => ({ allowed: true }),
        onOutcome: () => {
          throw new Error('hook broke');
        },
      },
      [review('a'), review('b'), 'not json'],
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 400]);
  });
});

describe('the admission server: the content type', () => {
  it.each([
    ['application/json', 200],
    ['Application/JSON; charset=utf-8', 200],
    [' application/json ;charset=utf-8', 200],
    ['text/plain', 415],
    ['application/jsonx', 415],
  ])('%s: %d', async (contentType, status) => {
    const answers = await exchange({ review: () => ({ allowed: true }) }, [review('a')], contentType);
    expect(answers[0]?.status).toBe(status);
  });
});

describe('the admission server: graceful shutdown', () => {
  /** One POST on a kept-alive connection: its status, its Connection header, and its uid (or the error that ended it). */
  const post = (port: number, uid: string) =>
    postTo(port, review(uid), { 'content-type': 'application/json', connection: 'keep-alive' }).then(
      ({ status, connection, text }) => ({
        status,
        connection,
        uid: (JSON.parse(text) as { response: { uid: string } }).response.uid,
      }),
      (e: Error & { code?: string }) => ({ error: e.code ?? e.message }),
    );

  it('a request in flight when close() is called is answered, and close() resolves after it', async () => {
    let release: () => void = () => undefined;
    const { s, port } = await start({
      review: () => new Promise((resolve) => (release = () => resolve({ allowed: true }))),
      drainDelayMs: 50,
      inFlightTimeoutMs: 10000,
    });
    const answer = post(port, 'in-flight');
    await new Promise((r) => setTimeout(r, 100));
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(s.draining()).toBe(true);
    expect(closed).toBe(false);
    release();
    expect(await answer).toEqual({ status: 200, connection: 'close', uid: 'in-flight' });
    await closing;
    expect(closed).toBe(true);
  });

  it('keeps serving during the drain delay, every answer with Connection: close; before close() answers keep the connection', async () => {
    const { s, port } = await start({ review: () => ({ allowed: true }), drainDelayMs: 1000 });
    expect(await post(port, 'before')).toEqual({ status: 200, connection: 'keep-alive', uid: 'before' });
    const closing = s.close();
    expect(s.draining()).toBe(true);
    expect(await post(port, 'during-1')).toEqual({ status: 200, connection: 'close', uid: 'during-1' });
    expect(await post(port, 'during-2')).toEqual({ status: 200, connection: 'close', uid: 'during-2' });
    await closing;
    expect(await post(port, 'after')).toEqual({ error: 'ECONNREFUSED' });
  });

  it('a request still in flight after the drain delay and the in-flight timeout is cut, and close() resolves', async () => {
    const { s, port } = await start({
      review: () => new Promise<never>(() => undefined),
      drainDelayMs: 100,
      inFlightTimeoutMs: 500,
    });
    const answer = post(port, 'stuck');
    await new Promise((r) => setTimeout(r, 100));
    const began = performance.now();
    await s.close();
    const took = performance.now() - began;
    expect(took).toBeGreaterThanOrEqual(590);
    expect(await answer).toEqual({ error: 'ECONNRESET' });
  });
});
