import * as E from 'fp-ts/lib/Either.js';

import { sameConfig } from './canonical.js';
import type { MigrationConfig, SupportedOptions } from './config.js';
import { type FeatureGates, gateViolations } from './feature-gates.js';
import { at } from './json.js';
import { invalidMessage, SUBJECT } from './messages.js';
import { describeMigrations, inProgress } from './migrations.js';
import { decodeSetting, defaultConfig, isBlank, SETTING_NAME } from './setting.js';
import type { Violation } from './violation.js';
import { configWarnings } from './warnings.js';

/** What the webhook hands to `admit`, taken from an AdmissionReview and the caches. */
export interface AdmissionInput {
  readonly operation: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
  /** VirtualMachineInstanceMigrations; finished ones are ignored. */
  readonly migrations: readonly unknown[] | MigrationsUnknown;
  readonly supportedOptions?: SupportedOptions;
  /** The feature gates the KubeVirt CR enables, when it is known (docs/semantics.md §2a). */
  readonly featureGates?: FeatureGates;
}

/**
 * The live migrations cannot be vouched for (the webhook's cache is not current, say after an API
 * server restart): a change is then refused rather than decided from stale knowledge.
 */
export interface MigrationsUnknown {
  /** Why they are unknown, for the message. */
  readonly unknown: string;
}

const isUnknown = (m: AdmissionInput['migrations']): m is MigrationsUnknown => !Array.isArray(m);

/** One cause of a refusal, as a Kubernetes `metav1.StatusCause`: a violation at a field. */
export interface StatusCause {
  readonly reason: string;
  readonly field: string;
  readonly message: string;
}

/** A `metav1.Status` of failure, as an AdmissionReview response carries it. */
export interface FailureStatus {
  readonly metadata: Readonly<Record<string, never>>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: 'Invalid' | 'BadRequest' | 'ServiceUnavailable';
  readonly code: 422 | 400 | 503;
  readonly details?: {
    readonly name: string;
    readonly group: string;
    readonly kind: string;
    readonly causes: readonly StatusCause[];
  };
}

/** The `response` of an AdmissionReview v1, without `uid` (the webhook echoes the request's). */
export interface AdmissionResponse {
  readonly allowed: boolean;
  readonly status?: FailureStatus;
  readonly warnings?: readonly string[];
}

const denyInvalid = (violations: readonly Violation[]): AdmissionResponse => ({
  allowed: false,
  status: {
    metadata: {},
    status: 'Failure',
    message: invalidMessage(violations),
    reason: 'Invalid',
    code: 422,
    details: {
      name: SETTING_NAME,
      group: 'harvesterhci.io',
      kind: 'Setting',
      causes: violations.map((v) => ({ reason: v.reason, field: v.field, message: v.message })),
    },
  },
});

/** The configuration the new object is compared with: the old one's, or on CREATE its own default's. */
const previousConfig = (input: AdmissionRequestInput): MigrationConfig | undefined => {
  if (input.operation === 'UPDATE') {
    const old = decodeSetting(input.oldObject, input.supportedOptions);
    return E.isRight(old) ? old.right : undefined;
  }
  return defaultConfig(input.object, input.supportedOptions);
};

/** The text a configuration's violations are reported under: `value`, or `default` while value is blank. */
const effectiveRoot = (obj: unknown): 'value' | 'default' => {
  const value = at(obj, 'value');
  return typeof value === 'string' && !isBlank(value) ? 'value' : 'default';
};

/** What a request says, before anything is known of the live migrations. */
export type AdmissionRequestInput = Omit<AdmissionInput, 'migrations'>;

/**
 * The admission decision as far as the request alone decides it: `Decided` with the answer (not
 * this Setting, a DELETE, an invalid value, no change of the configuration, or a gated option changed
 * without its feature gate), or `NeedsMigrations`
 * for a change, whose answer depends on the live migrations and comes from `complete(migrations)`.
 * A caller that must read the migrations from the API server reads them only then.
 */
export type AdmissionDecision =
  | { readonly kind: 'Decided'; readonly response: AdmissionResponse }
  | {
      readonly kind: 'NeedsMigrations';
      /** The answer to the change, given the live migrations (or why they are unknown: then 503). */
      readonly complete: (migrations: AdmissionInput['migrations']) => AdmissionResponse;
    };

const decided = (response: AdmissionResponse): AdmissionDecision => ({ kind: 'Decided', response });

/** The answer to a change, once the migrations are known (or known to be unknown). */
const admitChange = (config: MigrationConfig, migrations: AdmissionInput['migrations']): AdmissionResponse => {
  if (isUnknown(migrations)) {
    return {
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        message: `${SUBJECT} cannot be changed now: it is not known whether a migration is in progress (${migrations.unknown}); retry in a few seconds`,
        reason: 'ServiceUnavailable',
        code: 503,
      },
    };
  }
  const running = inProgress(migrations);
  if (running.length > 0) {
    const [count, them] =
      running.length === 1 ? ['a migration is', 'it has'] : [`${running.length} migrations are`, 'they have'];
    return {
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        message: `${SUBJECT} cannot be changed while ${count} in progress: ${describeMigrations(running)}; retry when ${them} finished`,
        reason: 'BadRequest',
        code: 400,
      },
    };
  }
  const warnings = configWarnings(config, 'value').map((w) => w.message);
  return warnings.length > 0 ? { allowed: true, warnings } : { allowed: true };
};

/**
 * The first step of the admission decision (docs/semantics.md §4): everything the request decides
 * by itself, or what a change still needs. Never throws: any JSON in gives a decision out.
 */
export const decideAdmission = (input: AdmissionRequestInput): AdmissionDecision => {
  if (input.operation === 'DELETE' || at(input.object, 'metadata', 'name') !== SETTING_NAME)
    return decided({ allowed: true });

  const decoded = decodeSetting(input.object, input.supportedOptions);
  if (E.isLeft(decoded)) return decided(denyInvalid(decoded.left));
  const config = decoded.right;

  const previous = previousConfig(input);
  if (previous !== undefined && sameConfig(previous, config)) return decided({ allowed: true });
  const ungated = gateViolations(previous, config, input.featureGates, effectiveRoot(input.object));
  if (ungated.length > 0) return decided(denyInvalid(ungated));
  return { kind: 'NeedsMigrations', complete: (migrations) => admitChange(config, migrations) };
};

/**
 * The admission decision for the kubevirt-migration Setting (docs/semantics.md §4), with the
 * migrations given at once: `decideAdmission` completed with them. Never throws: any JSON in gives a
 * response out.
 */
export const admit = (input: AdmissionInput): AdmissionResponse => {
  const decision = decideAdmission(input);
  return decision.kind === 'Decided' ? decision.response : decision.complete(input.migrations);
};
