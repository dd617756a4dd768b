import { GUARD_TABLE, NODE_NETWORK } from './addresses.js';
import { hostCommand, hostCommandQuiet } from './host-command.js';

const { bridge, range, nodeAddress, services } = NODE_NETWORK;
const podPrefix = NODE_NETWORK.pods.split('/')[1] ?? '17';

/**
 * The guard: anything for the node's range, or from it, that would leave by a device other than the
 * bridge or loopback is dropped and counted; so is anything a pod sends that would be forwarded off
 * the bridge. Its counter stays at zero while everything keeps to this machine.
 */
const guardRules = (): string => `table ${GUARD_TABLE.family} ${GUARD_TABLE.name} {
  counter ${GUARD_TABLE.counter} {}
  chain postrouting {
    type filter hook postrouting priority 0; policy accept;
    oifname { "lo", "${bridge}" } accept
    ip daddr ${range} counter name "${GUARD_TABLE.counter}" drop
    ip saddr ${range} counter name "${GUARD_TABLE.counter}" drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "${bridge}" oifname != "${bridge}" counter name "${GUARD_TABLE.counter}" drop
  }
}
`;

/** The bridge (the node's address on it, the Service range routed to it) and the guard, guard first. */
export const createNetwork = (): void => {
  hostCommand('nft', ['-f', '-'], guardRules());
  hostCommand('ip', ['link', 'add', bridge, 'type', 'bridge']);
  hostCommand('ip', ['addr', 'add', `${nodeAddress}/${podPrefix}`, 'dev', bridge]);
  hostCommand('ip', ['link', 'set', bridge, 'up']);
  hostCommand('ip', ['route', 'add', services, 'dev', bridge, 'src', nodeAddress]);
};

/** Packets the guard dropped since it was made. */
export const guardDrops = (): number => {
  const out = JSON.parse(
    hostCommand('nft', ['-j', 'list', 'counter', GUARD_TABLE.family, GUARD_TABLE.name, GUARD_TABLE.counter]),
  ) as {
    nftables: { counter?: { packets: number } }[];
  };
  const counter = out.nftables.find((item) => item.counter !== undefined)?.counter;
  if (counter === undefined) throw new Error(`nft listed no counter ${GUARD_TABLE.counter}`);
  return counter.packets;
};

/** Names of the network devices attached to the bridge (the pods' veth ends). */
const bridgePorts = (): string[] => {
  try {
    const links = JSON.parse(hostCommand('ip', ['-j', 'link', 'show', 'master', bridge])) as { ifname: string }[];
    return links.map((l) => l.ifname);
  } catch {
    return [];
  }
};

/** Removes the bridge and its ports, kube-proxy's tables and the guard (last); what is gone already is skipped. */
export const removeNetwork = (): string[] => {
  const removed: string[] = [];
  for (const port of bridgePorts()) if (hostCommandQuiet('ip', ['link', 'del', port])) removed.push(`device ${port}`);
  if (hostCommandQuiet('ip', ['link', 'del', bridge])) removed.push(`device ${bridge}`);
  for (const family of ['ip', 'ip6'])
    if (hostCommandQuiet('nft', ['delete', 'table', family, 'kube-proxy']))
      removed.push(`nftables table ${family} kube-proxy`);
  if (hostCommandQuiet('nft', ['delete', 'table', GUARD_TABLE.family, GUARD_TABLE.name]))
    removed.push(`nftables table ${GUARD_TABLE.family} ${GUARD_TABLE.name}`);
  return removed;
};
