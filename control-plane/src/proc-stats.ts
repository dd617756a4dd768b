import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * What a process has spent, as the kernel counts it (/proc): what the benchmarks and the fault
 * suite measure, rather than what a load generator sharing the machine manages.
 */
let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used, in microseconds, from /proc/PID/stat. */
export const cpuMicros = (pid: number): number => {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after the command: state is field 3, utime 14 and stime 15 (1-based over the whole line)
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
};

/** A memory field of /proc/PID/status (given in KiB), in MiB. */
const statusMiB = (status: string, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;

const status = (pid: number): string => readFileSync(`/proc/${pid}/status`, 'utf8');

/** Resident memory of a process, in MiB, from /proc/PID/status. */
export const rssMiB = (pid: number): number => statusMiB(status(pid), 'VmRSS');

/** The parts of a process's resident memory (/proc/PID/status), in MiB: anonymous (its own allocations), file-backed (the pages of the binary and libraries it has touched, shared with other processes running them) and shared memory. */
export const rssPartsMiB = (pid: number): { readonly anon: number; readonly file: number; readonly shmem: number } => {
  const text = status(pid);
  return { anon: statusMiB(text, 'RssAnon'), file: statusMiB(text, 'RssFile'), shmem: statusMiB(text, 'RssShmem') };
};
