import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { parse } from 'yaml';

import { unbumpedChange } from './testing/chart-version.js';
import { chartDir, helm, repoRoot } from './testing/helm.js';

const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as {
  version: string;
  annotations: Record<string, string>;
};
const changelog = readFileSync(join(chartDir, 'CHANGELOG.md'), 'utf8');
/** The newest entry of CHANGELOG.md: its version and its items. */
const newest = (() => {
  const section = changelog.split('\n## ')[1] ?? '';
  return { version: section.split(' ')[0], items: section.split('\n').filter((l) => l.startsWith('- ')).length };
})();

describe('the chart’s version and release metadata', () => {
  it('has the newest CHANGELOG entry as its version, repeated in artifacthub.io/changes', () => {
    expect(newest.version).toBe(chart.version);
    const changes = parse(chart.annotations['artifacthub.io/changes'] ?? '') as { kind: string; description: string }[];
    expect(changes).toHaveLength(newest.items);
    for (const c of changes)
      expect(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security']).toContain(c.kind);
  });

  it('carries what chart-testing and Artifact Hub expect', () => {
    const meta = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({
      maintainers: [expect.objectContaining({ name: expect.any(String) as unknown }) as unknown],
      sources: [expect.stringMatching(/^https:\/\//) as unknown],
      home: expect.stringMatching(/kubevirt-migration\/kubevirt-migration$/) as unknown,
      icon: expect.stringMatching(/^https:\/\/.*\.svg$/) as unknown,
    });
    const images = parse(chart.annotations['artifacthub.io/images'] ?? '') as { image: string }[];
    expect(images.map((i) => i.image)).toEqual([
      expect.stringMatching(
        new RegExp(`:${(meta['appVersion'] as string).replace(/\./g, '\\.')}(@sha256:[a-f0-9]{64})?$`),
      ),
    ]);
    expect(chart.annotations['artifacthub.io/license']).toBe('Apache-2.0');
  });

  it('holds the version rule against the newest release tag of this repository', () => {
    // no release has been tagged yet: then there is nothing to compare with, and the rule is the CHANGELOG's
    expect(unbumpedChange(repoRoot, relative(repoRoot, chartDir)).problem).toBeUndefined();
  });

  it('finds a change of templates/ or values since the tag without a new version, and nothing else', () => {
    const repo = mkdtempSync(join(tmpdir(), 'kubevirt-migration-chart-version-'));
    const run = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    const write = (file: string, text: string) => {
      mkdirSync(join(repo, 'chart', file, '..'), { recursive: true });
      writeFileSync(join(repo, 'chart', file), text);
      run('add', '-A');
    };
    run('init', '-q');
    run('config', 'user.email', 'test@example.com');
    run('config', 'user.name', 'test');
    write('Chart.yaml', 'version: 0.1.0\n');
    write('templates/a.yaml', 'a: 1\n');
    write('README.md', 'readme\n');
    run('commit', '-qm', 'first');
    run('tag', 'kubevirt-migration-chart-0.1.0');
    write('README.md', 'readme, better\n');
    write('ci/x-values.yaml', '{}\n');
    expect(unbumpedChange(repo, 'chart')).toEqual({ tag: 'kubevirt-migration-chart-0.1.0' });
    write('templates/a.yaml', 'a: 2\n');
    expect(unbumpedChange(repo, 'chart').problem).toMatch(
      /templates\/a\.yaml changed since kubevirt-migration-chart-0\.1\.0 but the chart's version is still 0\.1\.0/,
    );
    write('values.yaml', 'x: 1\n');
    expect(unbumpedChange(repo, 'chart').problem).toMatch(/templates\/a\.yaml, values\.yaml changed/);
    write('Chart.yaml', 'version: 0.1.1\n');
    expect(unbumpedChange(repo, 'chart')).toEqual({ tag: 'kubevirt-migration-chart-0.1.0' });
  });

  it('prints its README, with the values table current, for helm show readme', async () => {
    execFileSync(process.execPath, [join(repoRoot, 'tools', 'chart-readme.mjs'), '--check'], { stdio: 'pipe' });
    const readme = await helm(['show', 'readme', chartDir]);
    expect(readme).toMatch(
      /^\| `webhook\.podDisruptionBudget\.minAvailable` +\| integer +\| `1` +\| minAvailable of the budget +\|$/m,
    );
    expect(readme).toMatch(
      /^\| `image\.digest` +\| string +\| `""` +\| image digest; when set, pulled by digest +\|$/m,
    );
  });

  it('is linked from the repository README’s "Install on a cluster", which does not repeat it', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.split('\n## Install on a cluster\n')[1]?.split('\n## ')[0] ?? '';
    expect(section).toContain('(deploy/kubevirt-migration/README.md)');
    expect(section).not.toMatch(/^\| `/m);
  });
});
