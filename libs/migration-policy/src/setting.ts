import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigText, type MigrationConfig, type SupportedOptions } from './config.js';
import { at, isRecord } from './json.js';
import { typeInvalid, type Violation } from './violation.js';

/** The one Setting this project governs. */
export const SETTING_NAME = 'kubevirt-migration';

/** Harvester's own default text, byte for byte. */
export const HARVESTER_DEFAULT =
  '{"parallelOutboundMigrationsPerNode":2,"parallelMigrationsPerCluster":5,"allowAutoConverge":false,"bandwidthPerMigration":0,"completionTimeoutPerGiB":150,"progressTimeout":150,"unsafeMigrationOverride":false,"allowPostCopy":false,"allowWorkloadDisruption":false,"disableTLS":false,"matchSELinuxLevelOnMigration":false}';

/** Annotation holding the applied marker (Harvester's name). */
export const HASH_ANNOTATION = 'harvesterhci.io/hash';
/** Annotation that Harvester's upgrade sets; its value takes part in the marker. */
export const UPGRADE_PATCHED_ANNOTATION = 'harvesterhci.io/upgrade-patched';

/** White space as Go's unicode.IsSpace sees it (Harvester trims with strings.TrimSpace). */
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Blank = absent, empty or only white space. The one definition of "empty" for value and default. */
export const isBlank = (text: string | undefined): boolean => text === undefined || BLANK.test(text);

/** The parts of a Setting object that the policy reads, taken from JSON of unknown shape. */
export interface SettingView {
  readonly name: string | undefined;
  readonly value: string | undefined;
  readonly default: string | undefined;
  readonly annotations: Readonly<Record<string, string>>;
  readonly deleting: boolean;
}

const stringField = (obj: unknown, key: string, problems: Violation[]): string | undefined => {
  const v = at(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  problems.push(typeInvalid([key], v, 'must be a string holding a JSON object of migration options'));
  return undefined;
};

const annotationsOf = (obj: unknown): Readonly<Record<string, string>> => {
  const a = at(obj, 'metadata', 'annotations');
  return isRecord(a)
    ? Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};
};

/** Reads a Setting object; a non-string `value` or `default` is reported as a violation. */
export const viewSetting = (obj: unknown): { readonly view: SettingView; readonly problems: readonly Violation[] } => {
  const problems: Violation[] = [];
  const name = at(obj, 'metadata', 'name');
  const deletion = at(obj, 'metadata', 'deletionTimestamp');
  const view: SettingView = {
    name: typeof name === 'string' ? name : undefined,
    value: stringField(obj, 'value', problems),
    default: stringField(obj, 'default', problems),
    annotations: annotationsOf(obj),
    deleting: deletion !== undefined && deletion !== null,
  };
  return { view, problems };
};

/** Which text is in effect: `value` if it is not blank, else `default`, else none (`{}`: every option at KubeVirt's default). */
export const effectiveSource = (s: Pick<SettingView, 'value' | 'default'>): 'value' | 'default' | 'none' =>
  !isBlank(s.value) ? 'value' : !isBlank(s.default) ? 'default' : 'none';

/** The effective text (docs/semantics.md §1). */
export const effectiveText = (s: Pick<SettingView, 'value' | 'default'>): string => {
  const source = effectiveSource(s);
  return source === 'none' ? '{}' : (s[source] ?? '{}');
};

/**
 * The configuration of the Setting's `default` alone: `{}` when blank, undefined when it does not
 * decode. What CREATE and first sight compare with.
 */
export const defaultConfig = (obj: unknown, supported?: SupportedOptions): MigrationConfig | undefined => {
  const dflt = stringField(obj, 'default', []);
  if (isBlank(dflt) || dflt === undefined) return {};
  const decoded = decodeConfigText(dflt, 'default', supported);
  return E.isRight(decoded) ? decoded.right : undefined;
};

/**
 * Decodes a Setting: every violation of `value` and of `default` together, or the effective
 * configuration. Both texts are checked even though only one is in effect: a bad default would
 * take effect the moment value is cleared.
 */
export const decodeSetting = (
  obj: unknown,
  supported?: SupportedOptions,
): E.Either<readonly Violation[], MigrationConfig> => {
  // only the two texts: the rest of the view (annotations) is not needed here, on the webhook's path
  const violations: Violation[] = [];
  const view = { value: stringField(obj, 'value', violations), default: stringField(obj, 'default', violations) };
  const decodeIfSet = (text: string | undefined, root: 'value' | 'default'): MigrationConfig | undefined => {
    if (isBlank(text) || text === undefined) return undefined;
    const decoded = decodeConfigText(text, root, supported);
    if (E.isLeft(decoded)) {
      violations.push(...decoded.left);
      return undefined;
    }
    return decoded.right;
  };
  const decoded = { value: decodeIfSet(view.value, 'value'), default: decodeIfSet(view.default, 'default'), none: {} };
  if (violations.length > 0) return E.left(violations);
  return E.right(decoded[effectiveSource(view)] ?? {});
};
