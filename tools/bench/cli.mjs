// Wall time of cold `kubevirt-migration validate` runs on small files: a new Node process each time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { summary, table } from './stats.mjs';

const RUNS = 30;

export const run = async (root) => {
  const bin = join(root, 'node_modules/.bin/kubevirt-migration');
  const cases = [
    ['validate --new --old (allowed)', ['validate', '--new', 'examples/setting.yaml', '--old', 'examples/setting-default.yaml']],
    ['validate, invalid setting (denied)', ['validate', '--new', 'examples/setting-invalid.yaml']],
    ['validate --migrations (denied)', ['validate', '--new', 'examples/setting.yaml', '--old', 'examples/setting-default.yaml', '--migrations', 'examples/migrations.yaml']],
    ['diff on files', ['diff', '--setting', 'examples/setting.yaml', '--kubevirt', 'examples/kubevirt.yaml']],
  ];
  const rows = cases.map(([name, args]) => {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const r = spawnSync(bin, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      times.push(performance.now() - start);
      if (r.status === null || r.status > 1) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
    }
    const s = summary(times);
    return { command: name, runs: RUNS, 'median ms': s.median.toFixed(0), 'max ms': s.max.toFixed(0), 'target < 300 ms': s.max < 300 ? 'met' : 'MISSED' };
  });
  table(rows);
};
