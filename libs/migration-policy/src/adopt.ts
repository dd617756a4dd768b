import * as E from 'fp-ts/lib/Either.js';
import { decodeConfigObject, encodeConfig, type MigrationConfig, type SupportedOptions } from './config.js';
import { OWNED_KEYS } from './options.js';
import { at, isRecord, own } from './json.js';
import type { Violation } from './violation.js';

/** Path of the migration options in the KubeVirt CR, dotted as in violations. */
export const MIGRATIONS_FIELD = 'spec.configuration.migrations';

export interface Adoption {
  /** The Setting value that keeps the CR's current owned options (table order, values as the CR has them). */
  readonly value: string;
  readonly config: MigrationConfig;
  /** Options of the CR that fail validation: left out of `value`. */
  readonly omitted: readonly Violation[];
}

/** The CR's `spec.configuration.migrations`, or undefined when it is absent or not an object. */
export const migrationsBlock = (kubevirt: unknown): Readonly<Record<string, unknown>> | undefined => {
  const block = at(kubevirt, 'spec', 'configuration', 'migrations');
  return isRecord(block) ? block : undefined;
};

/**
 * The Setting value that keeps what the CR has now. Only owned options are taken (never network or
 * nodeDrainTaintKey); each is validated on its own, so one bad option costs only itself.
 */
export const adopt = (kubevirt: unknown, supported?: SupportedOptions): Adoption => {
  const block = migrationsBlock(kubevirt) ?? {};
  const omitted: Violation[] = [];
  const kept: Record<string, unknown> = {};
  for (const key of OWNED_KEYS) {
    const raw = own(block, key);
    if (raw === undefined || raw === null) continue;
    const one = decodeConfigObject({ [key]: raw }, MIGRATIONS_FIELD, supported);
    if (E.isLeft(one)) omitted.push(...one.left);
    else kept[key] = raw;
  }
  const decoded = decodeConfigObject(kept, MIGRATIONS_FIELD, supported);
  const config = E.isRight(decoded) ? decoded.right : {};
  return { value: JSON.stringify(encodeConfig(config)), config, omitted };
};
