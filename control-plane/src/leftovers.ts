import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Log } from './log.js';

/**
 * Nothing this program starts outlives it. Every process it starts (each in a process group of its
 * own) and every folder it makes is recorded twice:
 * - with a reaper, a small process that holds a pipe from this one: when the pipe closes without a
 *   word (this process was killed, even with SIGKILL), the reaper kills the recorded process groups
 *   and removes the folders;
 * - in a run file under the temporary folder, so that the next start removes what a run left when
 *   its reaper could not act either (the machine lost power, the reaper was killed too).
 */
const RUNS = join(tmpdir(), 'kubevirt-migration-runs');

interface RunFile {
  readonly pid: number;
  readonly processes: { readonly pid: number; readonly command: string }[];
  readonly paths: string[];
}

const REAPER = `
let done = false;
const pids = new Set();
const paths = new Set();
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf('\\n')) >= 0) {
    const [verb, ...rest] = buffer.slice(0, i).split(' ');
    buffer = buffer.slice(i + 1);
    const arg = rest.join(' ');
    if (verb === 'pid') pids.add(Number(arg));
    else if (verb === 'unpid') pids.delete(Number(arg));
    else if (verb === 'path') paths.add(arg);
    else if (verb === 'done') done = true;
  }
});
process.stdin.on('end', () => {
  if (!done) {
    for (const pid of pids) {
      try { process.kill(-pid, 'SIGKILL'); } catch {}
      try { process.kill(pid, 'SIGKILL'); } catch {}
    }
    for (const path of paths) {
      try { require('node:fs').rmSync(path, { recursive: true, force: true }); } catch {}
    }
  }
  process.exit(0);
});
`;

/** True while the process exists and is not a zombie (dead, waiting for its parent to reap it). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') !== true;
  } catch {
    return true;
  }
};

/** The command line of a process, to make sure a recorded PID still belongs to what was started. */
const commandLine = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
};

class RunRecord {
  private reaper: ChildProcess | undefined;
  private readonly file = join(RUNS, `${process.pid}.json`);
  private readonly run: RunFile = { pid: process.pid, processes: [], paths: [] };

  private tell(line: string): void {
    if (this.reaper === undefined) {
      this.reaper = spawn(process.execPath, ['-e', REAPER], { stdio: ['pipe', 'ignore', 'ignore'] });
      // it must not keep this process alive: it acts when this process is gone
      this.reaper.unref();
      if (this.reaper.stdin instanceof Socket) this.reaper.stdin.unref();
    }
    this.reaper.stdin?.write(`${line}\n`);
  }

  private save(): void {
    mkdirSync(RUNS, { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.run));
  }

  process(pid: number | undefined, command: string): void {
    if (pid === undefined) return;
    this.run.processes.push({ pid, command });
    this.tell(`pid ${pid}`);
    this.save();
  }

  exited(pid: number | undefined): void {
    const i = this.run.processes.findIndex((p) => p.pid === pid);
    if (i < 0) return;
    this.run.processes.splice(i, 1);
    this.tell(`unpid ${pid}`);
    this.save();
  }

  path(path: string): void {
    this.run.paths.push(path);
    this.tell(`path ${path}`);
    this.save();
  }

  /** Everything stopped and removed as it should: the reaper has nothing to do, the run file goes. */
  finish(): void {
    this.reaper?.stdin?.end('done\n');
    rmSync(this.file, { force: true });
  }
}

export const runRecord = new RunRecord();

/** Removes what dead earlier runs left: processes still running that they started, and their folders. */
export const removeLeftovers = (log: Log): void => {
  if (!existsSync(RUNS)) return;
  for (const name of readdirSync(RUNS)) {
    const file = join(RUNS, name);
    let run: RunFile;
    try {
      run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (run.pid === process.pid || alive(run.pid)) continue;
    const killed: number[] = [];
    for (const p of run.processes) {
      if (!alive(p.pid) || commandLine(p.pid) !== p.command) continue;
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        process.kill(p.pid, 'SIGKILL');
      }
      killed.push(p.pid);
    }
    const removed = run.paths.filter((path) => existsSync(path));
    for (const path of removed) rmSync(path, { recursive: true, force: true });
    rmSync(file, { force: true });
    if (killed.length > 0 || removed.length > 0) {
      log(
        `removed what an earlier run (pid ${run.pid}) left: ${killed.length > 0 ? `processes ${killed.join(', ')}` : 'no process'}; ${removed.length} folder(s)`,
      );
    }
  }
};
