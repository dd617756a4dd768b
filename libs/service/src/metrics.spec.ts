import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';

import { metricsRegistry } from './metrics.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** prom-client's own counter and histogram, fed the same observations: what the light recorder must expose. */
const reference = async (observations: readonly (readonly [string, number])[]): Promise<string> => {
  const registry = new Registry();
  const registers = [registry];
  const count = new Counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['result'], registers });
  const time = new Histogram({
    name: 'x_request_seconds',
    help: 'Time.',
    labelNames: ['result'],
    buckets: BUCKETS,
    registers,
  });
  for (const [result, seconds] of observations) {
    count.labels({ result }).inc();
    time.labels({ result }).observe(seconds);
  }
  return registry.metrics();
};

const light = async (observations: readonly (readonly [string, number])[]): Promise<string> => {
  const m = metricsRegistry('x');
  m.registry.clear(); // only the two series, not Node's process metrics
  const byResult = m.timings(
    { name: 'requests_total', help: 'Requests.' },
    { name: 'request_seconds', help: 'Time.' },
    'result',
    BUCKETS,
  );
  for (const [result, seconds] of observations) byResult(result, seconds);
  return m.registry.metrics();
};

describe('timings: the light counter and histogram of a hot path', () => {
  it('expose what prom-client exposes for the same observations (bucket edges, values over the last bucket, several labels)', async () => {
    const seconds = fc.oneof(fc.constantFrom(...BUCKETS, 0, 2, 1e-9), fc.double({ min: 0, max: 3, noNaN: true }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('allowed', 'denied', 'error', 'rejected'), seconds), { maxLength: 60 }),
        async (observations) => {
          expect(await light(observations)).toBe(await reference(observations));
        },
      ),
    );
  });

  it('a table: two results, one over every bucket', async () => {
    const text = await light([
      ['allowed', 0.0004],
      ['allowed', 0.001],
      ['denied', 5],
    ]);
    expect(text).toContain('x_requests_total{result="allowed"} 2\nx_requests_total{result="denied"} 1');
    expect(text).toContain(
      'x_request_seconds_bucket{le="0.0005",result="allowed"} 1\nx_request_seconds_bucket{le="0.001",result="allowed"} 2',
    );
    expect(text).toContain(
      'x_request_seconds_bucket{le="1",result="denied"} 0\nx_request_seconds_bucket{le="+Inf",result="denied"} 1',
    );
    expect(text).toContain('x_request_seconds_sum{result="denied"} 5\nx_request_seconds_count{result="denied"} 1');
  });
});
