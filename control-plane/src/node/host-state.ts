import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { CGROUP_ROOT } from './addresses.js';
import { hostCommandQuiet } from './host-command.js';

/**
 * Host settings the kubelet, the bridge plugin and kube-proxy change on their own (the kubelet's
 * "kernel defaults", the bridge's forwarding, conntrack's table size), read before the node starts
 * and written back when it stops.
 */
const RECORDED_SYSCTLS = [
  'vm/overcommit_memory',
  'kernel/panic',
  'kernel/panic_on_oops',
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/netfilter/nf_conntrack_max',
] as const;

const sysctlPath = (name: string): string => join('/proc/sys', name);

export const readSysctls = (): Record<string, string> =>
  Object.fromEntries(
    RECORDED_SYSCTLS.filter((name) => existsSync(sysctlPath(name))).map((name) => [
      name,
      readFileSync(sysctlPath(name), 'utf8').trim(),
    ]),
  );

/** Writes back the values that differ; gives the names of those it restored. */
export const restoreSysctls = (saved: Readonly<Record<string, string>>): string[] =>
  Object.entries(saved).flatMap(([name, value]) => {
    try {
      if (readFileSync(sysctlPath(name), 'utf8').trim() === value) return [];
      writeFileSync(sysctlPath(name), value);
      return [name];
    } catch {
      return [];
    }
  });

/**
 * Folders outside the node's own that the kubelet, containerd's shims and CNI write whatever they
 * are told: each is removed on stop when it did not exist before; when it did, only the entries
 * that point into the node's folder (the kubelet's log links) are.
 */
const HOST_PATHS = ['/var/lib/cni', '/var/log/containers', '/var/log/pods', '/run/containerd'] as const;

export const existingHostPaths = (): string[] => HOST_PATHS.filter((path) => existsSync(path));

export const removeHostPaths = (existedBefore: readonly string[], nodeDir: string): string[] =>
  HOST_PATHS.flatMap((path) => {
    if (!existsSync(path)) return [];
    if (!existedBefore.includes(path)) {
      rmSync(path, { recursive: true, force: true });
      return [path];
    }
    const links = readdirSync(path)
      .map((name) => join(path, name))
      .filter((entry) => lstatSync(entry).isSymbolicLink() && readlinkSync(entry).startsWith(nodeDir));
    for (const link of links) rmSync(link, { force: true });
    return links;
  });

/** The cgroup hierarchies mounted under /sys/fs/cgroup (v1 controllers, and the unified one when there is one). */
const hierarchies = (): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => {
      const type = fields[fields.indexOf('-') + 1];
      return type === 'cgroup' || type === 'cgroup2';
    })
    .map((fields) => fields[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith('/sys/fs/cgroup'));

/** The pods' cgroup root, made in every hierarchy (the kubelet wants it to exist). */
export const createCgroupRoot = (): void => {
  for (const h of hierarchies()) {
    mkdirSync(join(h, CGROUP_ROOT), { recursive: true });
    // a new cpuset (v1) starts with no CPU and no memory node: it gets its parent's
    for (const file of ['cpuset.cpus', 'cpuset.mems'])
      if (existsSync(join(h, file)) && readFileSync(join(h, CGROUP_ROOT, file), 'utf8').trim() === '')
        writeFileSync(join(h, CGROUP_ROOT, file), readFileSync(join(h, file), 'utf8').trim());
  }
};

const cgroupTree = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => cgroupTree(join(dir, d.name)));
  return [...children, dir];
};

const pidsIn = (dir: string): number[] => {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/**
 * Every process in the pods' cgroups (the containers this node ran, and nothing else) killed by PID,
 * then the cgroups removed, deepest first. Gives how many processes were killed and cgroups removed.
 */
export const removeCgroups = async (): Promise<{ killed: number; removed: number }> => {
  let killed = 0;
  const roots = hierarchies().map((h) => join(h, CGROUP_ROOT));
  for (let round = 0; round < 50; round++) {
    const pids = [...new Set(roots.flatMap((root) => cgroupTree(root).flatMap(pidsIn)))];
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let removed = 0;
  for (const root of roots)
    for (const dir of cgroupTree(root)) {
      try {
        rmdirSync(dir);
        removed++;
      } catch {
        // a hierarchy where it was never made
      }
    }
  return { killed, removed };
};

/** Mount points at or under `dir` (containers' root filesystems, volumes, network namespaces), deepest first. */
const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);

/** Unmounts everything under `dir` (lazily: a mount still busy goes when its last user does). */
export const unmountUnder = (dir: string): number => {
  let count = 0;
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) break;
    for (const point of points) if (hostCommandQuiet('umount', ['-l', point])) count++;
  }
  return count;
};
