#!/usr/bin/env node
// `npm run bench`: the performance figures quoted in BENCHMARKS.md. Each section prints one
// table; run one section with `npm run bench -- policy` (or cli, ...).


import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const sections = {
  policy: () => import('./bench/policy.mjs').then((m) => m.run(root)),
  cli: () => import('./bench/cli.mjs').then((m) => m.run(root)),
};
const chosen = wanted.length > 0 ? wanted : Object.keys(sections);
console.log(`node ${process.version}, ${process.arch}, ${(await import('node:os')).cpus()[0]?.model ?? 'cpu'} (${(await import('node:os')).cpus().length} cores)`);
for (const name of chosen) {
  const section = sections[name];
  if (section === undefined) {
    console.error(`unknown section ${name}; sections: ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  await section();
}
