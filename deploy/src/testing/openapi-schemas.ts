import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { KubeHttp } from '@kubevirt-migration/k8s-adapter';

/**
 * JSON schemas for kubeconform, one file per kind, made from the API server's own OpenAPI v3
 * (built-in kinds and the CRDs it serves): what the server itself would check, with no download.
 * Strict, as kubeconform's `-strict` expects: an object schema that lists its properties refuses
 * any other (unless Kubernetes marks it `x-kubernetes-preserve-unknown-fields`).
 * Files are named as `KUBECONFORM_LOCATION` finds them.
 */
type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: unknown;
  allOf?: Schema[];
  $ref?: string;
  'x-kubernetes-group-version-kind'?: readonly { group: string; version: string; kind: string }[];
};

/** kubeconform's `-schema-location` for the folder the schemas are written to. */
export const kubeconformLocation = (dir: string): string =>
  `${dir}/{{ .Group }}-{{ .ResourceAPIVersion }}-{{ .ResourceKind }}{{ .StrictSuffix }}.json`;

const strict = (s: Schema): Schema => {
  const out: Schema = { ...s };
  if (typeof s.$ref === 'string') out.$ref = s.$ref.replace('#/components/schemas/', '#/definitions/');
  if (s.properties !== undefined)
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, strict(v)]));
  if (s.items !== undefined) out.items = strict(s.items);
  if (s.allOf !== undefined) out.allOf = s.allOf.map(strict);
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null)
    out.additionalProperties = strict(s.additionalProperties as Schema);
  if (
    s.properties !== undefined &&
    s.additionalProperties === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  )
    out.additionalProperties = false;
  return out;
};

/** The names of the schemas `name` refers to, directly or not (each file carries only those). */
const referenced = (schemas: Readonly<Record<string, Schema>>, name: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') {
          const target = v.replace('#/components/schemas/', '');
          if (!seen.has(target)) {
            seen.add(target);
            visit(schemas[target]);
          }
        } else visit(v);
      }
  };
  visit(schemas[name]);
  return seen;
};

/** The file name kubeconform looks for: core kinds have their version as group (`v1-v1-service`). */
const fileName = (gvk: { group: string; version: string; kind: string }): string =>
  `${gvk.group === '' ? gvk.version : gvk.group}-${gvk.version}-${gvk.kind.toLowerCase()}-strict.json`;

/** Writes a schema for every kind the API server serves; returns how many. */
export const writeKubeconformSchemas = async (http: KubeHttp, dir: string): Promise<number> => {
  mkdirSync(dir, { recursive: true });
  const index = (await http.request('read the OpenAPI v3 index', 'GET', '/openapi/v3')) as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  let written = 0;
  for (const { serverRelativeURL } of Object.values(index.paths)) {
    const [path, query] = serverRelativeURL.split('?');
    const doc = (await http.request(`read ${path}`, 'GET', path ?? '', {
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
    })) as {
      components?: { schemas?: Record<string, Schema> };
    };
    // a group removed between the index and this read has no document: its kinds then have no schema, which kubeconform reports
    const schemas = (doc as typeof doc | undefined)?.components?.schemas ?? {};
    for (const [name, s] of Object.entries(schemas))
      for (const gvk of s['x-kubernetes-group-version-kind'] ?? []) {
        const definitions = Object.fromEntries(
          [...referenced(schemas, name)].map((n) => [n, strict(schemas[n] ?? {})]),
        );
        writeFileSync(
          join(dir, fileName(gvk)),
          JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...strict(s), definitions }),
        );
        written++;
      }
  }
  return written;
};
