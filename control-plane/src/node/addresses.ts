/**
 * The only addresses a local node uses besides loopback, all in 10.88.0.0/16 on a bridge that
 * exists only on this machine: pods in the lower half, Services in the upper half. The bridge
 * holds the node's own address (the API server listens there; pods reach it through the
 * `kubernetes` Service) and the route of the Service range.
 */
export const NODE_NETWORK = {
  bridge: 'kvmigration0',
  /** Everything the node may address: the guard drops anything for it leaving by another device. */
  range: '10.88.0.0/16',
  pods: '10.88.0.0/17',
  nodeAddress: '10.88.0.1',
  services: '10.88.128.0/17',
  kubernetesServiceIp: '10.88.128.1',
} as const;

export const NODE_NAME = 'kubevirt-migration-node';

/** The nftables table of the guard; kube-proxy's own tables are `ip kube-proxy` and `ip6 kube-proxy`. */
export const GUARD_TABLE = { family: 'inet', name: 'kubevirt_migration_guard', counter: 'leaked' } as const;

/** The cgroup (in every hierarchy) under which the kubelet puts all pods. */
export const CGROUP_ROOT = 'kubevirt-migration';
