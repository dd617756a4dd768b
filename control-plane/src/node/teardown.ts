import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';

import type { Log } from '../log.js';
import { removeCgroups, removeHostPaths, restoreSysctls, unmountUnder } from './host-state.js';
import { removeNetwork } from './network.js';
import { type NodeRecord, readNodeRecord, removeNodeRecord } from './record.js';

/** containerd's shims of this node (they leave containerd's process group): found by their binary and containerd's socket. */
const shimPids = (record: NodeRecord): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readlinkSync(`/proc/${pid}/exe`) === record.shimBinary &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(record.containerdSocket)
        );
      } catch {
        return false;
      }
    });

/**
 * Undoes everything a node did to the host, in order: its containers (every process in its cgroups)
 * and containerd's shims killed by PID, mounts under its folder unmounted, cgroups, network devices
 * and nftables tables removed, host settings restored, host folders it made removed, its folder last.
 * Anything already gone is skipped: it serves a clean stop and the start after a killed run alike.
 */
export const tearDownNode = async (record: NodeRecord, log: Log): Promise<void> => {
  const done: string[] = [];
  const { killed, removed } = await removeCgroups();
  if (killed > 0) done.push(`${killed} container process(es)`);
  const shims = shimPids(record);
  for (const pid of shims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  if (shims.length > 0) done.push(`${shims.length} shim(s)`);
  const unmounted = unmountUnder(record.dir);
  if (unmounted > 0) done.push(`${unmounted} mount(s)`);
  if (removed > 0) done.push(`${removed} cgroup(s)`);
  done.push(...removeNetwork());
  const restored = restoreSysctls(record.sysctls);
  if (restored.length > 0) done.push(`settings ${restored.join(', ')} restored`);
  done.push(...removeHostPaths(record.hostPathsBefore, record.dir));
  rmSync(record.dir, { recursive: true, force: true });
  removeNodeRecord();
  log(`node removed: ${done.join('; ') || 'nothing was left'}`);
};

/** What a killed run's node left (its record names a process that is gone), removed before a new start; a live one is an error. */
export const removeNodeLeftovers = async (log: Log): Promise<void> => {
  const record = readNodeRecord();
  if (record === undefined) return;
  let alive = true;
  try {
    process.kill(record.pid, 0);
  } catch {
    alive = false;
  }
  if (alive && record.pid !== process.pid)
    throw new Error(`a local node is running already (pid ${record.pid}): stop it first (Ctrl-C in its terminal)`);
  log(`removing what the node of an earlier run (pid ${record.pid}) left`);
  await tearDownNode(record, log);
};
