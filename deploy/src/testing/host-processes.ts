import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The node's container processes as the host sees them (the tests run as root on the node): a
 * container's processes are in cgroups named after their pod's UID.
 */
const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
};

/** Host PIDs of the processes of a pod's containers that run the image's Node (not the sandbox's pause). */
export const nodeProcessesOfPod = (podUid: string): number[] => {
  // the cgroupfs driver names the pod's cgroup pod<uid>, the systemd driver pod<uid with _>
  const names = [`pod${podUid}`, `pod${podUid.replaceAll('-', '_')}`];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      const cgroup = read(`/proc/${pid}/cgroup`);
      return (
        cgroup !== undefined &&
        names.some((n) => cgroup.includes(n)) &&
        read(`/proc/${pid}/cmdline`)?.startsWith('/nodejs/bin/node\0') === true
      );
    })
    .map(Number);
};

/** Kills (SIGKILL) every such process of the pods, again and again, until stopped; gives the number of kills. */
export const keepKilling = (podUids: readonly string[], everyMs = 50): { readonly stop: () => Promise<number> } => {
  let running = true;
  let kills = 0;
  const loop = (async () => {
    while (running) {
      for (const pid of podUids.flatMap(nodeProcessesOfPod)) {
        try {
          process.kill(pid, 'SIGKILL');
          kills++;
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return kills;
    },
  };
};

/**
 * Closes the host's established TCP connections to `ip`:`port` (`ss -K`, the kernel's socket destroy):
 * the API server runs on the host, and keeps connections to a webhook's Service alive between calls.
 */
export const closeConnectionsTo = (ip: string, port: number): void => {
  const r = spawnSync('ss', ['-K', '-tn', 'state', 'established', `( dst ${ip} and dport = ${port} )`], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`ss -K (connections to ${ip}:${port}): ${r.stderr || r.error?.message || `exit ${r.status}`}`);
};
