/**
 * The options table: the one place that knows KubeVirt's MigrationConfiguration. Every other module
 * (codecs, canonical compare, plan, adopt, JSON Schema) derives from it. Order matters: it is the
 * order in which adoption writes keys.
 */

/** Largest integer a JSON number holds exactly (2^53 - 1); KubeVirt stores these options as int64. */
const MAX_SAFE = 9007199254740991;

/** How an option is checked: an integer range, a boolean, a Kubernetes quantity, or protected (owned elsewhere). */
export type OptionKind =
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'boolean' }
  /** A quantity of bytes per second, from 0 (no limit) to `max` (KubeVirt reads it as an int64). */
  | { readonly type: 'quantity'; readonly max: bigint }
  | {
      readonly type: 'protected';
      readonly owner: string;
      /**
       * The one value the controller leaves on the CR; any other value there is removed (with a
       * warning event). Without it the controller never touches the key on the CR.
       */
      readonly onlyOnCR?: string;
    };

/** One row of the options table: a KubeVirt migration option and what the setting accepts for it. */
export interface OptionSpec {
  readonly key: string;
  readonly kind: OptionKind;
  /** KubeVirt's default, as KubeVirt documents it. */
  readonly kubevirtDefault: string | number | boolean;
  /** The first KubeVirt release whose CRD lists the option, when later than 1.0. */
  readonly since?: string;
  /** The smallest value the Harvester UI lets one enter; below it, admission warns. */
  readonly uiMinimum?: number;
  /** What a number counts, for labels and forms ("seconds", "bytes per second"). */
  readonly unit?: string;
  /**
   * What 0 does in KubeVirt, when 0 is accepted and turns something off (docs/semantics.md §2):
   * admission warns with it.
   */
  readonly zeroTurnsOff?: string;
  /**
   * KubeVirt feature gates of which one must be enabled on the KubeVirt CR before KubeVirt accepts
   * a change of the option (docs/semantics.md §2a).
   */
  readonly featureGates?: readonly string[];
  readonly description: string;
}

const int32 = { type: 'integer', min: 1, max: 2147483647 } as const;
const int64 = { type: 'integer', min: 1, max: MAX_SAFE } as const;
/** A timeout that 0 turns off (virt-launcher's migration monitor skips it). */
const timeout64 = { type: 'integer', min: 0, max: MAX_SAFE } as const;
const bool = { type: 'boolean' } as const;

/**
 * The options table: every KubeVirt migration option the setting knows, in the order adoption
 * writes them, with its kind, KubeVirt's default, the Harvester UI's minimum, unit and description.
 */
export const OPTIONS = [
  {
    key: 'parallelMigrationsPerCluster',
    kind: int32,
    kubevirtDefault: 5,
    unit: 'migrations',
    description:
      'Concurrent live migrations allowed cluster-wide. 0 is refused: it would stop every migration, node drains included.',
  },
  {
    key: 'parallelOutboundMigrationsPerNode',
    kind: int32,
    kubevirtDefault: 2,
    unit: 'migrations per node',
    description: 'Concurrent outgoing live migrations allowed per node.',
  },
  {
    key: 'bandwidthPerMigration',
    kind: { type: 'quantity', max: 9223372036854775807n },
    kubevirtDefault: '0Mi',
    unit: 'bytes per second',
    description:
      'Network bandwidth per migration, a Kubernetes quantity of bytes per second (for example "64Mi"); 0 means no limit.',
  },
  {
    key: 'completionTimeoutPerGiB',
    kind: timeout64,
    kubevirtDefault: 150,
    uiMinimum: 10,
    unit: 'seconds per GiB',
    zeroTurnsOff: 'the completion timeout',
    description:
      'Seconds per GiB of memory a migration may take before it is paused, switched to post-copy or cancelled; 0 turns the timeout off.',
  },
  {
    key: 'progressTimeout',
    kind: timeout64,
    kubevirtDefault: 150,
    uiMinimum: 10,
    unit: 'seconds',
    zeroTurnsOff: 'the progress timeout',
    description: 'Seconds a migration may make no progress before it is cancelled; 0 turns the timeout off.',
  },
  {
    key: 'utilityVolumesTimeout',
    kind: int64,
    kubevirtDefault: 150,
    since: '1.8',
    unit: 'seconds',
    description: 'Seconds to wait for utility volumes during a migration.',
  },
  {
    key: 'maxDowntimeMs',
    kind: { type: 'integer', min: 1, max: 2000000 },
    kubevirtDefault: 900,
    since: '1.9',
    unit: 'milliseconds',
    featureGates: ['MigrationStallDetection', 'MigrationDowntimeTuning'],
    description: 'Maximum guest downtime in milliseconds at the switch-over of a migration.',
  },
  {
    key: 'allowAutoConverge',
    kind: bool,
    kubevirtDefault: false,
    description: 'Throttle the guest CPU so that busy VMs can converge.',
  },
  {
    key: 'allowPostCopy',
    kind: bool,
    kubevirtDefault: false,
    description: 'Switch to post-copy when the completion timeout is reached.',
  },
  {
    key: 'allowWorkloadDisruption',
    kind: bool,
    kubevirtDefault: false,
    description:
      'Do not cancel a migration past its completion time: switch to post-copy or pause the VM instead. Unset follows allowPostCopy.',
  },
  {
    key: 'unsafeMigrationOverride',
    kind: bool,
    kubevirtDefault: false,
    description: 'Migrate even when the compatibility check says the migration is unsafe for the guest.',
  },
  {
    key: 'disableTLS',
    kind: bool,
    kubevirtDefault: false,
    description: "Disable KubeVirt's own encryption of migration traffic.",
  },
  {
    key: 'matchSELinuxLevelOnMigration',
    kind: bool,
    kubevirtDefault: false,
    description: 'Let the runtime assign a new SELinux level to the target pod.',
  },
  {
    key: 'nodeDrainTaintKey',
    kind: {
      type: 'protected',
      owner: 'Harvester (its upgrade taints nodes with kubevirt.io/drain)',
      onlyOnCR: 'kubevirt.io/drain',
    },
    kubevirtDefault: 'kubevirt.io/drain',
    description: 'Protected: only absent or "". Harvester relies on the default kubevirt.io/drain.',
  },
  {
    key: 'network',
    kind: { type: 'protected', owner: 'the vm-migration-network setting' },
    kubevirtDefault: '',
    description: 'Protected: only absent or "". Owned by the vm-migration-network setting.',
  },
] as const satisfies readonly OptionSpec[];

/** The name of an option of the table (`parallelMigrationsPerCluster`, ...). */
export type OptionKey = (typeof OPTIONS)[number]['key'];
export type ProtectedKey = Extract<(typeof OPTIONS)[number], { kind: { type: 'protected' } }>['key'];
export type OwnedKey = Exclude<OptionKey, ProtectedKey>;

export const OPTION_KEYS: readonly OptionKey[] = OPTIONS.map((o) => o.key);

const byKey: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.key, o]));

export const optionSpec = (key: string): OptionSpec | undefined => byKey.get(key);

export const isOptionKey = (key: string): key is OptionKey => byKey.has(key);

/** The options that need a feature gate, each with its gates (docs/semantics.md §2a). */
export const GATED_OPTIONS: readonly { readonly key: OwnedKey; readonly gates: readonly string[] }[] = OPTIONS.flatMap(
  (o) => ('featureGates' in o ? [{ key: o.key, gates: o.featureGates }] : []),
);

/** Every option the controller writes: all but the protected ones, in table order. */
export const OWNED_KEYS: readonly OwnedKey[] = OPTIONS.flatMap((o) =>
  o.kind.type === 'protected' ? [] : [o.key as OwnedKey],
);

/** Protected keys that the controller polices on the CR: the key and the one value it leaves there. */
export const POLICED_ON_CR: readonly { readonly key: ProtectedKey; readonly value: string }[] = OPTIONS.flatMap((o) =>
  o.kind.type === 'protected' && 'onlyOnCR' in o.kind ? [{ key: o.key as ProtectedKey, value: o.kind.onlyOnCR }] : [],
);
