import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sections: Record<string, () => Promise<void>> = {
  policy: async () => (await import('./policy.js')).run(),
  cli: async () => (await import('./cli.js')).run(root),
  webhook: async () => (await import('./webhook/run.js')).run(root),
  controller: async () => (await import('./controller.js')).run(root),
};
const wanted = process.argv.slice(2);
const chosen = wanted.length > 0 ? wanted : Object.keys(sections);
console.log(`node ${process.version}, ${process.arch}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores)`);
for (const name of chosen) {
  const section = sections[name];
  if (section === undefined) {
    console.error(`unknown section ${name}; sections: ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  await section();
}
