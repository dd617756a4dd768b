import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ensureBinaries, quietLog } from '@kubevirt-migration/control-plane';
import { parse } from 'yaml';

import { chartDir, helm, parseManifests, repoRoot } from './testing/helm.js';

/**
 * The chart's alerting rules (docs/semantics.md §8) under Prometheus' own promtool, built from the Go
 * module proxy by control-plane/scripts/build-binaries.sh like Helm. No API server is needed; these
 * tests sit with the chart's, which share the built binaries.
 */
const run = promisify(execFile);
const RULES = join(chartDir, 'rules', 'kubevirt-migration.rules.yaml');
const TESTS = join(repoRoot, 'deploy', 'rules-test', 'kubevirt-migration.rules.test.yaml');

let promtool: Promise<string> | undefined;
const runPromtool = async (...args: string[]): Promise<string> => {
  promtool ??= ensureBinaries(repoRoot, quietLog, ['promtool']).then((b) => join(b.dir, 'promtool'));
  const { stdout, stderr } = await run(await promtool, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout + stderr;
};

describe("the chart's alerting rules", () => {
  it('are valid Prometheus rules (promtool check rules)', async () => {
    expect(await runPromtool('check', 'rules', RULES)).toMatch(/SUCCESS: 3 rules found/);
  }, 900000);

  it('fire on the series written for each alert and stay quiet on the near misses (promtool test rules)', async () => {
    expect(await runPromtool('test', 'rules', TESTS)).toMatch(/SUCCESS/);
  }, 900000);

  it('ship in the PrometheusRule only when prometheusRule.enabled, as the tested file holds them', async () => {
    const off = parseManifests(await helm(['template', 'kvm', chartDir, '--namespace', 'kvm']));
    expect(off.filter((m) => m.kind === 'PrometheusRule')).toEqual([]);
    const on = parseManifests(
      await helm([
        'template',
        'kvm',
        chartDir,
        '--namespace',
        'kvm',
        '--set',
        'prometheusRule.enabled=true',
        '--set',
        'prometheusRule.labels.release=prometheus',
      ]),
    );
    const rules = on.filter((m) => m.kind === 'PrometheusRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.metadata).toMatchObject({ namespace: 'kvm', labels: { release: 'prometheus' } });
    expect(rules[0]?.['spec']).toEqual(parse(readFileSync(RULES, 'utf8')));
  });
});
