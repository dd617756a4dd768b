import * as E from 'fp-ts/lib/Either.js';

import { sameConfig } from './canonical.js';
import {
  decodeConfigObject,
  decodeConfigText,
  encodeConfig,
  type MigrationConfig,
  type SupportedOptions,
} from './config.js';
import { own } from './json.js';
import { MIGRATIONS_KEYS, migrationsBlock } from './kubevirt.js';
import { OWNED_KEYS } from './options.js';
import { guardedByResourceVersion, type Operation, pointer } from './patch.js';
import { isBlank, viewSetting } from './setting.js';
import type { Violation } from './violation.js';

/** The result of adopting a CR: the value text that keeps its options, and what could not be kept. */
export interface Adoption {
  /** The Setting value that keeps the CR's current owned options (table order, values as the CR has them). */
  readonly value: string;
  readonly config: MigrationConfig;
  /** Options of the CR that fail validation: left out of `value`. */
  readonly omitted: readonly Violation[];
}

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
    const one = decodeConfigObject({ [key]: raw }, MIGRATIONS_KEYS, supported);
    if (E.isLeft(one)) omitted.push(...one.left);
    else kept[key] = raw;
  }
  const decoded = decodeConfigObject(kept, MIGRATIONS_KEYS, supported);
  const config = E.isRight(decoded) ? decoded.right : {};
  return { value: JSON.stringify(encodeConfig(config)), config, omitted };
};

/**
 * The write that makes an adoption the Setting's value: only onto a blank value (guarded by the
 * Setting's resourceVersion), nothing when the value already means the same, and never over a
 * value that means something else, which would lose the administrator's configuration.
 */
export const planAdoptionWrite = (
  setting: unknown,
  adoption: Adoption,
  supported?: SupportedOptions,
): E.Either<string, readonly Operation[]> => {
  const { view } = viewSetting(setting);
  if (isBlank(view.value) || view.value === undefined) {
    return E.right(guardedByResourceVersion(setting, [{ op: 'add', path: pointer('value'), value: adoption.value }]));
  }
  const current = decodeConfigText(view.value, 'value', supported);
  return E.isRight(current) && sameConfig(current.right, adoption.config)
    ? E.right([])
    : E.left(
        'the setting already has a value that differs from the CR; adopt writes only a blank value (clear it first to adopt)',
      );
};
