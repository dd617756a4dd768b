import { CGROUP_ROOT, NODE_NETWORK } from './addresses.js';

/** Where a node keeps everything of its own: one folder, removed when it stops. */
export interface NodeLayout {
  readonly dir: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly podLogsDir: string;
  readonly kubeletDir: string;
}

export const nodeLayout = (dir: string): NodeLayout => ({
  dir,
  containerdSocket: `${dir}/containerd/containerd.sock`,
  cniConfDir: `${dir}/cni/net.d`,
  podLogsDir: `${dir}/pod-logs`,
  kubeletDir: `${dir}/kubelet`,
});

/**
 * containerd's configuration: its state under the node's folder (network namespaces too), runc as
 * the runtime, the CNI plugins of the project's build, the locally built sandbox image, and
 * `restrict_oom_score_adj`, without which runc fails where root lacks CAP_SYS_RESOURCE.
 */
export const containerdConfig = (
  layout: NodeLayout,
  bins: { readonly runc: string; readonly cniDir: string },
  sandboxImage: string,
): string => `version = 3
root = '${layout.dir}/containerd/root'
state = '${layout.dir}/containerd/state'
imports = []
# NRI would open a socket in /var/run/nri, the opt plugin make /opt/containerd: neither is used
disabled_plugins = ['io.containerd.nri.v1.nri', 'io.containerd.internal.v1.opt']

[grpc]
  address = '${layout.containerdSocket}'

[ttrpc]
  address = '${layout.dir}/containerd/containerd.sock.ttrpc'

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = '${sandboxImage}'

  [plugins.'io.containerd.cri.v1.runtime']
    enable_selinux = false
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    cdi_spec_dirs = []
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = '${bins.runc}'
          Root = '${layout.dir}/containerd/runc'
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ['${bins.cniDir}']
      conf_dir = '${layout.cniConfDir}'
      max_conf_num = 1

  [plugins.'io.containerd.grpc.v1.cri']
    disable_tcp_service = true
    stream_server_address = '127.0.0.1'
    stream_server_port = '0'
`;

/**
 * The pod network: the bridge plugin on the node's bridge, addresses from the pods' half of the range
 * (kept in the node's folder), and one route, to the Services' half: a pod has no default route.
 */
export const cniConfig = (layout: NodeLayout): string =>
  JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'kubevirt-migration',
      plugins: [
        {
          type: 'bridge',
          bridge: NODE_NETWORK.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: `${layout.dir}/cni/ipam`,
            ranges: [[{ subnet: NODE_NETWORK.pods, gateway: NODE_NETWORK.nodeAddress }]],
            routes: [{ dst: NODE_NETWORK.services }],
          },
        },
      ],
    },
    null,
    2,
  );

/**
 * The kubelet's configuration: its API on the node's address (the API server's logs and exec go
 * there), health on loopback, cgroups under one root of the node's, no DNS inherited from the host,
 * pod logs in the node's folder, and no image garbage collection (nothing can be pulled again).
 */
export const kubeletConfig = (
  layout: NodeLayout,
  ports: { readonly api: number; readonly healthz: number },
  caFile: string,
): string =>
  JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: NODE_NETWORK.nodeAddress,
      port: ports.api,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: ports.healthz,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      cgroupRoot: `/${CGROUP_ROOT}`,
      containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
      failSwapOn: false,
      resolvConf: '',
      clusterDomain: 'cluster.local',
      podLogsDir: layout.podLogsDir,
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: {
        'memory.available': '100Mi',
        'nodefs.available': '1%',
        'imagefs.available': '1%',
        'nodefs.inodesFree': '1%',
      },
      serializeImagePulls: false,
      shutdownGracePeriod: '0s',
      logging: { format: 'text' },
    },
    null,
    2,
  );
