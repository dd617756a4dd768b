// Wall time of cold `kubevirt-migration` runs on small files: a new Node process each time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { fmt, summary, table } from './stats.js';

const RUNS = 30;

export const run = async (root: string): Promise<void> => {
  const bin = join(root, 'node_modules', '.bin', 'kubevirt-migration');
  const cases: [string, string[]][] = [
    [
      'validate --new --old (allowed)',
      ['validate', '--new', 'examples/setting.yaml', '--old', 'examples/setting-default.yaml'],
    ],
    ['validate, invalid setting (denied)', ['validate', '--new', 'examples/setting-invalid.yaml']],
    [
      'validate --migrations (denied)',
      [
        'validate',
        '--new',
        'examples/setting.yaml',
        '--old',
        'examples/setting-default.yaml',
        '--migrations',
        'examples/migrations.yaml',
      ],
    ],
    ['diff on files', ['diff', '--setting', 'examples/setting.yaml', '--kubevirt', 'examples/kubevirt.yaml']],
  ];
  table(
    cases.map(([command, args]) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        const r = spawnSync(bin, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        times.push(performance.now() - start);
        if (r.status === null || r.status > 1) throw new Error(`${command}: exit ${r.status}: ${r.stderr}`);
      }
      const s = summary(times);
      return {
        command,
        runs: RUNS,
        'median ms': fmt(s.median),
        'max ms': fmt(s.max),
        'target < 300 ms': s.max < 300 ? 'met' : 'MISSED',
      };
    }),
  );
};
