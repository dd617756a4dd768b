// A bounded HTTPS load generator for loopback servers, run as its own process so that it does not
// share an event loop with the server it measures. Prints one JSON line of results.
//   node load.js URL CA_FILE BODY_FILE max CONNECTIONS SECONDS
//   node load.js URL CA_FILE BODY_FILE rate RATE SECONDS
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { summary } from './stats.js';

const [url, caFile, bodyFile, mode, amount, secondsArg] = process.argv.slice(2);
if (url === undefined || caFile === undefined || bodyFile === undefined || (mode !== 'max' && mode !== 'rate')) {
  console.error('usage: load URL CA BODY max|rate N SECONDS');
  process.exit(2);
}
const target = new URL(url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
  console.error('load only targets loopback addresses');
  process.exit(2);
}
const body = readFileSync(bodyFile);
const ca = readFileSync(caFile);
const seconds = Number(secondsArg ?? '5');
const n = Number(amount ?? '1');
const agent = new Agent({ keepAlive: true, maxSockets: mode === 'max' ? n : 64, ca });

let latencies: number[] = [];
let errors = 0;
const once = (): Promise<void> =>
  new Promise((resolve) => {
    const start = performance.now();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else errors++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });

// Warm-up, not counted: one second at the same load opens the keep-alive connections (TLS
// handshakes), as an API server that calls the webhook all day has them open.
const WARMUP_MS = 1000;
const warmupEnd = performance.now() + WARMUP_MS;
const drive = async (until: number, startedAt: number): Promise<void> => {
  if (mode === 'max') {
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (performance.now() < until) await once();
      }),
    );
    return;
  }
  // open loop: requests are sent on schedule whether or not earlier ones have been answered
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (performance.now() < until) {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * n);
    for (; sent < due; sent++) pending.push(once());
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
};
await drive(warmupEnd, performance.now());
latencies = [];
errors = 0;

const started = performance.now();
const deadline = started + seconds * 1000;
await drive(deadline, started);
const elapsed = (performance.now() - started) / 1000;
const s = summary(latencies);
console.log(JSON.stringify({ requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50: s.median, p99: s.p99, max: s.max }));
agent.destroy();
