import { at } from './json.js';

/** What admission needs to know of one VirtualMachineInstanceMigration. */
export interface MigrationSummary {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
}

const FINISHED = new Set(['Succeeded', 'Failed']);

/**
 * In progress = not being deleted, phase not Succeeded or Failed (an empty phase counts: the
 * migration is pending), and `status.migrationState.completed` not true. A missing status or
 * migrationState is read as "not completed", never dereferenced.
 */
export const isInProgress = (vmim: unknown): boolean => {
  const deletion = at(vmim, 'metadata', 'deletionTimestamp');
  if (deletion !== undefined && deletion !== null) return false;
  const phase = at(vmim, 'status', 'phase');
  if (typeof phase === 'string' && FINISHED.has(phase)) return false;
  return at(vmim, 'status', 'migrationState', 'completed') !== true;
};

const summarize = (vmim: unknown): MigrationSummary => {
  const phase = at(vmim, 'status', 'phase');
  const namespace = at(vmim, 'metadata', 'namespace');
  const name = at(vmim, 'metadata', 'name');
  return {
    namespace: typeof namespace === 'string' ? namespace : '',
    name: typeof name === 'string' ? name : '',
    phase: typeof phase === 'string' && phase !== '' ? phase : 'Pending',
  };
};

/** The migrations in progress, sorted by namespace then name. */
export const inProgress = (vmims: readonly unknown[]): readonly MigrationSummary[] =>
  vmims
    .filter(isInProgress)
    .map(summarize)
    .sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Longest list of migrations a message names before "and N more". */
const NAMED_MIGRATIONS = 5;

/** `ns/a (Running), ns/b (Pending) and 3 more` */
export const describeMigrations = (list: readonly MigrationSummary[]): string => {
  const named = list.slice(0, NAMED_MIGRATIONS).map((m) => `${m.namespace}/${m.name} (${m.phase})`);
  const rest = list.length - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(', ');
};
