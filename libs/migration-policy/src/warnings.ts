import type { MigrationConfig } from './config.js';
import { frozenMemo } from './memo.js';
import { OPTIONS } from './options.js';
import { bareBytes } from './quantity.js';
import { type FieldPath, renderPath } from './violation.js';

/**
 * Advice on a valid configuration that is probably not what the administrator meant. The webhook
 * returns the messages as admission warnings; a settings form shows each at its field.
 */
export interface ConfigWarning {
  /** `path` as Kubernetes writes it (`value.progressTimeout`). */
  readonly field: string;
  readonly message: string;
  /** The option the warning is about, as keys below the root given (`['value', 'progressTimeout']`). */
  readonly path: FieldPath;
}

const MEBIBYTE = 1048576n;

/** The warnings of a configuration by root, remembered for a frozen (decoded) one, see memo.ts. */
const warningsByRoot = frozenMemo((_config: MigrationConfig) => new Map<string, readonly ConfigWarning[]>());

/** The warnings of a decoded configuration, in option order; `root` is the first key of each path (`value`). */
export const configWarnings = (config: MigrationConfig, root: string): readonly ConfigWarning[] => {
  const byRoot = warningsByRoot(config);
  const known = byRoot.get(root);
  if (known !== undefined) return known;
  const warnings = Object.freeze(warningsOf(config, root));
  byRoot.set(root, warnings);
  return warnings;
};

/** A warning about option `key` below `root`. */
const warning = (root: string, key: string, message: string): ConfigWarning => {
  const path = [root, key];
  return { field: renderPath(path), message, path };
};

const warningsOf = (config: MigrationConfig, root: string): ConfigWarning[] => {
  const warnings: ConfigWarning[] = [];
  if (config.allowPostCopy === true && config.allowWorkloadDisruption === false) {
    warnings.push(
      warning(
        root,
        'allowWorkloadDisruption',
        'allowPostCopy is true but allowWorkloadDisruption is false, so post-copy never starts; leave allowWorkloadDisruption out (it then follows allowPostCopy) or set it to true',
      ),
    );
  }
  for (const option of OPTIONS) {
    const v = config[option.key];
    if ('zeroTurnsOff' in option && v === 0) {
      warnings.push(
        warning(
          root,
          option.key,
          `${option.key} is 0, which turns ${option.zeroTurnsOff} off: a migration that never converges is never cancelled, and a node drain may wait on it`,
        ),
      );
    } else if ('uiMinimum' in option && typeof v === 'number' && v < option.uiMinimum) {
      warnings.push(
        warning(
          root,
          option.key,
          `${option.key} is ${v}, below ${option.uiMinimum} ${option.unit} (the Harvester UI's minimum); migrations may be cancelled before they can finish`,
        ),
      );
    }
  }
  const bandwidth = config.bandwidthPerMigration;
  const bytes = bandwidth === undefined ? undefined : bareBytes(bandwidth);
  if (bytes !== undefined && bytes > 0n && bytes < MEBIBYTE) {
    warnings.push(
      warning(
        root,
        'bandwidthPerMigration',
        `bandwidthPerMigration ${JSON.stringify(bandwidth)} means ${bytes} byte${bytes === 1n ? '' : 's'} per second, which KubeVirt rounds up to 1 MiB/s; did you mean "${bytes}Mi"?`,
      ),
    );
  }
  return warnings;
};
