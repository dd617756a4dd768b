// An OCI image archive (an OCI image layout in a tar file, what `skopeo copy oci-archive:`,
// `podman load`, `docker load` and `ctr images import` read) from layers given as tar entries.
// Nothing in it depends on the time or the machine: the same entries give the same digest.
import { gzipSync } from 'node:zlib';

import { sha256, writeTar } from './tar.mjs';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

const blob = (mediaType, data) => ({
  descriptor: { mediaType, digest: `sha256:${sha256(data)}`, size: data.length },
  data,
});

const json = (value) => Buffer.from(JSON.stringify(value));

/**
 * The archive's files: the OCI layout (index naming `name`) and, for docker load before Docker 25,
 * manifest.json.
 * @param {{ name: string, layerBlobs: ReturnType<typeof blob>[], configBlob: ReturnType<typeof blob>,
 *   manifestBlob: ReturnType<typeof blob> }} parts
 * @returns {Buffer}
 */
const layout = ({ name, layerBlobs, configBlob, manifestBlob }) => {
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        ...manifestBlob.descriptor,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'org.opencontainers.image.ref.name': tag, 'io.containerd.image.name': name },
      },
    ],
  };
  const blobs = [...layerBlobs, configBlob, manifestBlob];
  const path = (b) => `blobs/sha256/${b.descriptor.digest.slice('sha256:'.length)}`;
  // docker load before Docker 25 reads manifest.json, not the OCI index
  const dockerManifest = [{ Config: path(configBlob), RepoTags: [name], Layers: layerBlobs.map(path) }];
  const dir = (p) => ({ path: p, type: 'dir', mode: 0o755 });
  const file = (p, data) => ({ path: p, type: 'file', mode: 0o644, data });
  const unique = new Map(blobs.map((b) => [path(b), b.data]));
  return writeTar([
    dir('blobs'),
    dir('blobs/sha256'),
    ...[...unique].map(([p, data]) => file(p, data)),
    file('oci-layout', json({ imageLayoutVersion: '1.0.0' })),
    file('index.json', json(index)),
    file('manifest.json', json(dockerManifest)),
  ]);
};

/**
 * @param {{ name: string, layers: import('./tar.mjs').TarEntry[][], config: Record<string, unknown>,
 *   labels?: Record<string, string> }} image
 *   name: `repository:tag`; config: the image's `config` block (User, Entrypoint, Cmd, Env, ...).
 * @returns {{ archive: Buffer, digest: string, size: number }} the archive, the manifest's digest
 *   (what a registry reports after a push) and the sum of the compressed layers' sizes.
 */
export const ociArchive = ({ name, layers, config, labels = {} }) => {
  const tars = layers.map((entries) => writeTar(entries));
  // level 9, and Node's gzip header has no time or file name: the bytes depend on the input only
  const layerBlobs = tars.map((tar) => blob(MEDIA.layer, gzipSync(tar, { level: 9 })));
  const configBlob = blob(
    MEDIA.config,
    json({
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { ...config, Labels: labels },
      rootfs: { type: 'layers', diff_ids: tars.map((tar) => `sha256:${sha256(tar)}`) },
      history: layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'tools/image.mjs' })),
    }),
  );
  const manifestBlob = blob(
    MEDIA.manifest,
    json({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: configBlob.descriptor,
      layers: layerBlobs.map((l) => l.descriptor),
      annotations: labels,
    }),
  );
  const archive = layout({ name, layerBlobs, configBlob, manifestBlob });
  return {
    archive,
    digest: manifestBlob.descriptor.digest,
    size: layerBlobs.reduce((sum, l) => sum + l.data.length, 0),
  };
};
