import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

import { runRecord } from './leftovers.js';

/** A process this control plane started: its log file, its exit, and a stop by PID. */
export class ManagedProcess {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    /** The program and its arguments. */
    [command, ...args]: readonly [string, ...string[]],
    readonly logFile: string,
    /** Its environment (default: this process's) and, to run it as another user, uid and gid. */
    options: {
      readonly env?: NodeJS.ProcessEnv;
      readonly uid?: number;
      readonly gid?: number;
      readonly cwd?: string;
    } = {},
  ) {
    const fd = openSync(logFile, 'a');
    // its own process group: a Ctrl-C in the terminal reaches only the parent, which stops it in order
    this.child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: true, ...options });
    closeSync(fd);
    runRecord.process(this.child.pid, command);
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        runRecord.exited(this.child.pid);
        this.exited = { code, signal };
        resolve();
      });
      this.child.on('error', (e) => {
        this.exited = { code: -1, signal: null };
        this.spawnError = e.message;
        resolve();
      });
    });
  }

  private spawnError: string | undefined;

  /** Calls `cb` with a crash report when the process exits without having been asked to stop. */
  onUnexpectedExit(cb: (report: string) => void): void {
    void this.exit.then(() => {
      if (!this.stopping) cb(this.crashReport());
    });
  }

  private stopping = false;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  /** The last lines of the log: what a crash report shows. */
  lastLines(n = 15): string {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      text = '';
    }
    return text.trimEnd().split('\n').slice(-n).join('\n');
  }

  /** Why it is not running, with its last log lines. */
  crashReport(): string {
    const how =
      this.spawnError ??
      (this.exited?.signal ? `killed by ${this.exited.signal}` : `exit code ${this.exited?.code ?? '?'}`);
    return `${this.name} (pid ${this.pid ?? '?'}) stopped: ${how}; last lines of ${this.logFile}:\n${this.lastLines()}`;
  }

  /** Sends a signal without waiting (tests of a crash use SIGKILL). */
  kill(signal: NodeJS.Signals): void {
    this.stopping = true;
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after the grace period; only this process, by its PID. */
  async stop(graceMs = 10000): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([this.exit, timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }

  /** Resolves when `ready` is true; fails at once if the process dies, or after `timeoutMs`. */
  async waitReady(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(this.crashReport());
      if (await ready().catch(() => false)) return;
      if (performance.now() > deadline)
        throw new Error(
          `${this.name} not ready after ${timeoutMs / 1000} s; last lines of ${this.logFile}:\n${this.lastLines()}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
