import type { MigrationConfig } from './config.js';
import { OPTIONS } from './options.js';
import { bareBytes } from './quantity.js';
import { childPath } from './violation.js';

/**
 * Advice on a valid configuration that is probably not what the administrator meant. The webhook
 * returns the messages as admission warnings; a settings form shows each at its field.
 */
export interface ConfigWarning {
  /** The option the warning is about, as a path below the root given (`value.progressTimeout`). */
  readonly field: string;
  readonly message: string;
}

const MEBIBYTE = 1048576n;

/** Warnings of frozen configurations (decoded ones), by root: computed once for each. */
const frozenWarnings = new WeakMap<MigrationConfig, Map<string, readonly ConfigWarning[]>>();

/** The warnings of a decoded configuration, in option order; `root` prefixes each field (`value`). */
export const configWarnings = (config: MigrationConfig, root: string): readonly ConfigWarning[] => {
  const known = frozenWarnings.get(config)?.get(root);
  if (known !== undefined) return known;
  if (!Object.isFrozen(config)) return warningsOf(config, root);
  const warnings = Object.freeze(warningsOf(config, root));
  const byRoot = frozenWarnings.get(config) ?? new Map<string, readonly ConfigWarning[]>();
  byRoot.set(root, warnings);
  frozenWarnings.set(config, byRoot);
  return warnings;
};

const warningsOf = (config: MigrationConfig, root: string): ConfigWarning[] => {
  const warnings: ConfigWarning[] = [];
  if (config.allowPostCopy === true && config.allowWorkloadDisruption === false) {
    warnings.push({
      field: childPath(root, 'allowWorkloadDisruption'),
      message:
        'allowPostCopy is true but allowWorkloadDisruption is false, so post-copy never starts; leave allowWorkloadDisruption out (it then follows allowPostCopy) or set it to true',
    });
  }
  for (const option of OPTIONS) {
    const v = config[option.key];
    if ('zeroTurnsOff' in option && v === 0) {
      warnings.push({
        field: childPath(root, option.key),
        message: `${option.key} is 0, which turns ${option.zeroTurnsOff} off: a migration that never converges is never cancelled, and a node drain may wait on it`,
      });
    } else if ('uiMinimum' in option && typeof v === 'number' && v < option.uiMinimum) {
      warnings.push({
        field: childPath(root, option.key),
        message: `${option.key} is ${v}, below ${option.uiMinimum} ${option.unit} (the Harvester UI's minimum); migrations may be cancelled before they can finish`,
      });
    }
  }
  const bandwidth = config.bandwidthPerMigration;
  const bytes = bandwidth === undefined ? undefined : bareBytes(bandwidth);
  if (bytes !== undefined && bytes > 0n && bytes < MEBIBYTE) {
    warnings.push({
      field: childPath(root, 'bandwidthPerMigration'),
      message: `bandwidthPerMigration ${JSON.stringify(bandwidth)} means ${bytes} byte${bytes === 1n ? '' : 's'} per second, which KubeVirt rounds up to 1 MiB/s; did you mean "${bytes}Mi"?`,
    });
  }
  return warnings;
};
