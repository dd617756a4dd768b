// The load of the webhook benchmark (tools/bench/go-load, built by tools/bench/build-go.sh) and
// the server's CPU time, read from /proc around it. The server measured runs on CPU 1, the load
// and the control plane on CPU 0 (when the machine has two CPUs and taskset): unpinned, the
// scheduler moved them around each other and one run's floor differed from the next by up to 30%.
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

import { cpuMicros, rssMiB } from '@kubevirt-migration/control-plane';

import { summary } from '../stats.js';

export const PINNED = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const SERVER_CPU = '1';
export const LOAD_CPU = '0';

/** Requests per CPU figure, after a quarter as many to warm up. */
export const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? '40000');
export const CONNECTIONS = 8;
/** The paced rate, in requests per second, and the number of 10 s paced runs. */
export const RATE = 1000;
const PACED_RUNS = 3;

/** Keeps a process (all its threads, and those it starts later) on a CPU: by default the server's. */
export const pin = (pid: number | undefined, cpu = SERVER_CPU): void => {
  if (PINNED && pid !== undefined) execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
};

interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What the load needs: the generator, the CA of the servers' certificate and the two corpora. */
export interface LoadSetup {
  readonly binary: string;
  readonly caFile: string;
  readonly distinct: string;
  readonly repeated: string;
}

const load = (setup: LoadSetup, url: string, corpus: string, args: readonly string[]): LoadResult => {
  const command = [
    setup.binary,
    '-url',
    url,
    '-ca',
    setup.caFile,
    '-corpus',
    corpus,
    '-c',
    String(CONNECTIONS),
    ...args,
  ];
  const [file = setup.binary, ...rest] = PINNED ? ['taskset', '-c', LOAD_CPU, ...command] : command;
  const r = spawnSync(file, rest, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`go-load failed: ${r.stderr}`);
  if (r.stderr !== '') process.stderr.write(r.stderr);
  return JSON.parse(r.stdout) as LoadResult;
};

/** The server's CPU µs per request over REQUESTS unpaced requests of a corpus, after a warm-up. */
const cpuPerRequest = (
  setup: LoadSetup,
  pid: number,
  url: string,
  corpus: string,
): { readonly us: number; readonly run: LoadResult } => {
  load(setup, url, corpus, ['-n', String(REQUESTS / 4)]);
  const before = cpuMicros(pid);
  const run = load(setup, url, corpus, ['-n', String(REQUESTS)]);
  return { us: (cpuMicros(pid) - before) / run.requests, run };
};

export interface Figures {
  readonly distinctUs: number;
  readonly repeatedUs: number;
  readonly rss: number;
  /** Requests per second, distinct reviews, unpaced. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** The p99 of each paced run. */
  readonly p99s: readonly number[];
  readonly errors: number;
}

/** CPU per admission (distinct, then repeated), RSS after that load, then p50/p99 of distinct reviews at RATE. */
export const measure = (setup: LoadSetup, pid: number, url: string): Figures => {
  pin(pid);
  const distinct = cpuPerRequest(setup, pid, url, setup.distinct);
  const repeated = cpuPerRequest(setup, pid, url, setup.repeated);
  const rss = rssMiB(pid);
  const paced = Array.from({ length: PACED_RUNS }, () =>
    load(setup, url, setup.distinct, ['-rate', String(RATE), '-duration', '10s']),
  );
  return {
    distinctUs: distinct.us,
    repeatedUs: repeated.us,
    rss,
    rps: distinct.run.rps,
    p50: summary(paced.map((r) => r.p50Ms)).median,
    p99: summary(paced.map((r) => r.p99Ms)).median,
    p99s: paced.map((r) => r.p99Ms),
    errors: paced.reduce((n, r) => n + r.errors, distinct.run.errors + repeated.run.errors),
  };
};
