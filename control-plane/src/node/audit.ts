import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The API server's audit log on a node run: who wrote what, and when, for the tests that must
 * attribute a write to a pod (a ServiceAccount token bound to a pod names it in
 * `user.extra["authentication.kubernetes.io/pod-name"]`). Only writes are logged, once each when
 * answered; Leases and PodDisruptionBudgets with their body (who holds the Lease, what a budget allows).
 */
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Request
    resources:
      - group: coordination.k8s.io
        resources: [leases]
      - group: policy
        resources: [poddisruptionbudgets, poddisruptionbudgets/status]
  - level: Metadata
`;

const LOG = 'audit.log';

/** kube-apiserver's flags for the audit log, its policy written into the control plane's folder. */
export const auditArgs = (dir: string): string[] => {
  const policy = join(dir, 'audit-policy.yaml');
  writeFileSync(policy, POLICY);
  // the blocking (default) mode writes each event before the answer leaves: a test reads it at once
  return [
    `--audit-policy-file=${policy}`,
    `--audit-log-path=${join(dir, LOG)}`,
    '--audit-log-maxbackup=1',
    '--audit-log-maxsize=200',
  ];
};

/** One event of the audit log (the fields the tests read). */
export interface AuditEvent {
  readonly verb: string;
  readonly requestURI: string;
  readonly userAgent?: string;
  readonly sourceIPs?: readonly string[];
  readonly user: { readonly username: string; readonly extra?: Readonly<Record<string, readonly string[]>> };
  readonly objectRef?: {
    readonly resource?: string;
    readonly subresource?: string;
    readonly namespace?: string;
    readonly name?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  readonly requestObject?: unknown;
  /** When the API server received the request (RFC 3339, microseconds). */
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
}

/** The events logged so far by the API server whose admin kubeconfig is `kubeconfig` (none when it keeps no audit log). */
export const auditEvents = (kubeconfig: string): AuditEvent[] => {
  const path = join(dirname(kubeconfig), LOG);
  if (!existsSync(path)) throw new Error(`${path} is missing: the API server of a node run keeps an audit log`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
};

/** The pod a request came from, as its bound ServiceAccount token says; undefined for other users. */
export const auditPod = (e: AuditEvent): string | undefined =>
  e.user.extra?.['authentication.kubernetes.io/pod-name']?.[0];
