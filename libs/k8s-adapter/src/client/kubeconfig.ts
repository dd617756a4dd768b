import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

import { fileErrorText, firstLine } from '@kubevirt-migration/service';
import { parse } from 'yaml';

/**
 * Where the API server is and how to authenticate to it, found as client-go finds it: --kubeconfig,
 * else $KUBECONFIG (a colon-separated list, merged), else the pod's service account when running in
 * a cluster (KUBERNETES_SERVICE_HOST set), else ~/.kube/config. Client certificates, bearer tokens
 * (a token file is re-read as it rotates) and basic auth are supported; exec and auth-provider
 * plugins are refused with a clear message.
 */
export interface KubeConfigFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export interface Connection {
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** Where this came from: a kubeconfig file and context, or the in-cluster service account. */
  readonly source: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecureSkipTLSVerify: boolean;
  readonly tlsServerName?: string;
  /** The value of the Authorization header, read anew for each request (a token file rotates). */
  readonly authorization: () => string | undefined;
  /** In a cluster: the pod's namespace (from the service account). */
  readonly podNamespace?: string;
}

/** The folder of the pod's service account (a test may point it elsewhere). */
const serviceAccountDir = (env: NodeJS.ProcessEnv): string =>
  env['KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR'] ?? '/var/run/secrets/kubernetes.io/serviceaccount';

const fail = (source: string, problem: string): never => {
  throw new Error(`kubeconfig ${source}: ${problem}`);
};

const readFile = (file: string, what: string, source: string): Buffer => {
  try {
    if (statSync(file).isDirectory()) return fail(source, `${what} ${file} is a directory`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('kubeconfig ')) throw e;
    return fail(source, `${what} ${file}: ${fileErrorText(e)}`);
  }
};

/** A token file, re-read at most every minute (as client-go does), so a rotated token is picked up. */
const tokenFile = (file: string, source: string): (() => string) => {
  let token = readFile(file, 'token file', source).toString('utf8').trim();
  let readAt = Date.now();
  return () => {
    if (Date.now() - readAt > 60000) {
      try {
        token = readFileSync(file, 'utf8').trim();
        readAt = Date.now();
      } catch {
        // keep the last token: the file is being replaced
      }
    }
    return token;
  };
};

/** The pod's service account: the API server through its Service, the token, the CA and the namespace. */
const inCluster = (env: NodeJS.ProcessEnv): Connection => {
  const dir = serviceAccountDir(env);
  const source = `in-cluster service account (${dir})`;
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const token = tokenFile(join(dir, 'token'), source);
  const namespaceFile = join(dir, 'namespace');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    source,
    ca: readFile(join(dir, 'ca.crt'), 'CA file', source),
    insecureSkipTLSVerify: false,
    authorization: () => `Bearer ${token()}`,
    ...(existsSync(namespaceFile) ? { podNamespace: readFileSync(namespaceFile, 'utf8').trim() } : {}),
  };
};

type Named = { readonly name?: unknown } & Record<string, unknown>;
interface Merged {
  currentContext?: string | undefined;
  readonly clusters: Map<string, { readonly value: Record<string, unknown>; readonly dir: string }>;
  readonly users: Map<string, { readonly value: Record<string, unknown>; readonly dir: string }>;
  readonly contexts: Map<string, Record<string, unknown>>;
}

const record = (u: unknown): Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {};
const str = (u: unknown): string | undefined => (typeof u === 'string' && u !== '' ? u : undefined);

/** Reads the kubeconfig files; the first file to define a name (or the current context) wins, as kubectl merges them. */
const mergeFiles = (files: readonly string[], source: string): Merged => {
  const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    if (!existsSync(file)) fail(file, 'no such file');
    if (statSync(file).isDirectory()) fail(file, 'is a directory, not a kubeconfig file');
    let doc: unknown;
    try {
      doc = parse(readFile(file, 'file', source).toString('utf8'), { maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('kubeconfig ')) throw e;
      return fail(file, `not valid YAML: ${firstLine(e)}`);
    }
    const config = record(doc);
    merged.currentContext ??= str(config['current-context']);
    const dir = dirname(file);
    const each = (key: string, body: string, put: (name: string, value: Record<string, unknown>) => void) => {
      const list = config[key];
      if (list === undefined || list === null) return;
      if (!Array.isArray(list)) return fail(file, `${key} is not a list`);
      for (const entry of list as Named[]) {
        const name = str(record(entry).name);
        if (name !== undefined) put(name, record(record(entry)[body]));
      }
    };
    each(
      'clusters',
      'cluster',
      (name, value) => void (merged.clusters.has(name) || merged.clusters.set(name, { value, dir })),
    );
    each('users', 'user', (name, value) => void (merged.users.has(name) || merged.users.set(name, { value, dir })));
    each('contexts', 'context', (name, value) => void (merged.contexts.has(name) || merged.contexts.set(name, value)));
  }
  return merged;
};

const pathIn = (dir: string, file: string): string => (isAbsolute(file) ? file : join(dir, file));

/** The bytes of `<key>-data` (base64) or of the file `<key>`. */
const material = (
  entry: { readonly value: Record<string, unknown>; readonly dir: string },
  key: string,
  source: string,
): Buffer | undefined => {
  const data = str(entry.value[`${key}-data`]);
  if (data !== undefined) return Buffer.from(data, 'base64');
  const file = str(entry.value[key]);
  return file === undefined ? undefined : readFile(pathIn(entry.dir, file), key, source);
};

/** A cluster or user entry with the folder of the file it came from (its relative paths start there). */
type Entry = { readonly value: Record<string, unknown>; readonly dir: string };

/** The chosen context's cluster (and its server) and user, and the source they are named by in messages. */
interface Chosen {
  readonly source: string;
  readonly server: string;
  readonly cluster: Entry;
  readonly user: Entry;
  readonly userName: string | undefined;
}

const chosen = (merged: Merged, context: string | undefined, label: string): Chosen => {
  const contextName = context ?? merged.currentContext ?? fail(label, 'no current-context (give --context)');
  const ctx = merged.contexts.get(contextName) ?? fail(label, `no context named ${contextName}`);
  const source = `${label} (context ${contextName})`;
  const clusterName = str(ctx['cluster']) ?? fail(source, 'the context names no cluster');
  const cluster = merged.clusters.get(clusterName) ?? fail(source, `no cluster named ${clusterName}`);
  const server = str(cluster.value['server']) ?? fail(source, `cluster ${clusterName} has no server`);
  const userName = str(ctx['user']);
  const user =
    userName === undefined
      ? { value: {}, dir: '' }
      : (merged.users.get(userName) ?? fail(source, `no user named ${userName}`));
  return { source, server, cluster, user, userName };
};

/** The user's Authorization header: a token (given or from a file), else basic auth, else none. */
const authorizationOf = (user: Entry, source: string): (() => string | undefined) => {
  const token = str(user.value['token']);
  const tokenPath = str(user.value['tokenFile']);
  const readToken =
    token !== undefined
      ? () => token
      : tokenPath !== undefined
        ? tokenFile(pathIn(user.dir, tokenPath), source)
        : undefined;
  const username = str(user.value['username']);
  const basic =
    username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${username}:${str(user.value['password']) ?? ''}`).toString('base64')}`;
  return readToken !== undefined ? () => `Bearer ${readToken()}` : () => basic;
};

/** The TLS material of the cluster and the user, only the parts they give. */
const tlsOf = (
  cluster: Entry,
  user: Entry,
  source: string,
): Pick<Connection, 'ca' | 'cert' | 'key' | 'tlsServerName'> => {
  const ca = material(cluster, 'certificate-authority', source);
  const cert = material(user, 'client-certificate', source);
  const key = material(user, 'client-key', source);
  const tlsServerName = str(cluster.value['tls-server-name']);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
  };
};

const fromFiles = (files: readonly string[], context: string | undefined, label: string): Connection => {
  const { source, server, cluster, user, userName } = chosen(mergeFiles(files, label), context, label);
  if (user.value['exec'] !== undefined || user.value['auth-provider'] !== undefined) {
    fail(
      source,
      `user ${userName ?? ''} authenticates through an exec or auth-provider plugin, which this program does not run; use a kubeconfig with a token or a client certificate`,
    );
  }
  return {
    server: server.replace(/\/+$/, ''),
    source,
    insecureSkipTLSVerify: cluster.value['insecure-skip-tls-verify'] === true,
    authorization: authorizationOf(user, source),
    ...tlsOf(cluster, user, source),
  };
};

/** Finds the cluster as client-go does (see above); fails with one line naming the source and the problem. */
export const loadConnection = (flags: KubeConfigFlags, env: NodeJS.ProcessEnv = process.env): Connection => {
  const context = flags.context === undefined || flags.context === '' ? undefined : flags.context;
  if (flags.kubeconfig !== undefined && flags.kubeconfig !== '')
    return fromFiles([flags.kubeconfig], context, flags.kubeconfig);
  const fromEnv = (env['KUBECONFIG'] ?? '').split(':').filter((f) => f !== '');
  if (fromEnv.length > 0) return fromFiles(fromEnv, context, fromEnv.join(':'));
  if ((env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && context === undefined) return inCluster(env);
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home], context, home);
  throw new Error(
    'no cluster configured: give --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account',
  );
};
