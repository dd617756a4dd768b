#!/usr/bin/env node
// `npm run bench [-- SECTION...]`: bundles tools/bench (TypeScript, workspace sources) with esbuild
// and runs it. Sections: policy, cli, webhook, controller. Figures are recorded in BENCHMARKS.md.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

import { nodeBundle } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.bench');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    bench: join(root, 'tools', 'bench', 'main.ts'),
    floor: join(root, 'tools', 'bench', 'floor.ts'),
  },
  outdir: out,
  ...nodeBundle,
});
await import(pathToFileURL(join(out, 'bench.js')).href);
