import { execFileSync } from 'node:child_process';

import { parse } from 'yaml';

/** Release tags of the chart: `kubevirt-migration-chart-<version>`. */
const TAG_PREFIX = 'kubevirt-migration-chart-';

/** What a chart's version stands for: a change of any of these is a new version (README, CHANGELOG and ci/ are not). */
const VERSIONED = /^(templates\/|values\.yaml$|values\.schema\.json$|Chart\.yaml$|\.helmignore$)/;

const git = (repo: string, args: readonly string[]): string =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

const versionAt = (repo: string, chartPath: string, ref: string | undefined): string => {
  const text =
    ref === undefined
      ? git(repo, ['show', `:${chartPath}/Chart.yaml`])
      : git(repo, ['show', `${ref}:${chartPath}/Chart.yaml`]);
  return String((parse(text) as { version?: unknown }).version);
};

/** The version rule against the newest release tag: undefined when it holds (or no tag exists), else what breaks it. */
export const unbumpedChange = (
  repo: string,
  chartPath: string,
): { readonly tag?: string; readonly problem?: string } => {
  const tag = git(repo, ['tag', '--list', `${TAG_PREFIX}*`, '--sort=-v:refname']).split('\n')[0];
  if (tag === undefined || tag === '') return {};
  // the index as it is, staged changes included: what the next commit would release
  const changed = git(repo, ['diff', '--cached', '--name-only', tag, '--', chartPath])
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.slice(chartPath.length + 1))
    .filter((f) => VERSIONED.test(f));
  const before = versionAt(repo, chartPath, tag);
  const now = versionAt(repo, chartPath, undefined);
  if (changed.length > 0 && before === now)
    return {
      tag,
      problem: `${changed.join(', ')} changed since ${tag} but the chart's version is still ${now}: bump it (CHANGELOG.md)`,
    };
  return { tag };
};
