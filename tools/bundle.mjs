#!/usr/bin/env node
// Bundles the apps with esbuild: one ESM file per app (plus lazily loaded chunks), sources of the
// workspace libraries taken through the `@kubevirt-migration/source` condition, so no library
// build is needed first. Run by `npm ci` (prepare) and by each app's `build` target.
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { browserBundle, nodeBundle } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ['cli', 'controller', 'webhook', 'settings-page', 'control-plane'];
/** Where each bundled program lives: the apps, and the local control plane (`npm start`). */
const folder = (name) => (name === 'control-plane' ? join(root, 'control-plane') : join(root, 'apps', name));
/** Programs an app ships beside its main one, sharing its chunks: the webhook's check is the chart's `helm test`. */
const companions = { webhook: ['check'] };

for (const app of apps) {
  const entry = join(folder(app), 'src', 'main.ts');
  if (!existsSync(entry)) continue;
  const started = performance.now();
  await build({
    entryPoints: {
      main: entry,
      ...Object.fromEntries((companions[app] ?? []).map((name) => [name, join(folder(app), 'src', `${name}.ts`)])),
    },
    outdir: join(folder(app), 'dist'),
    ...nodeBundle,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    legalComments: 'none',
  });
  // an app with a page (the settings page) also gets it bundled for the browser, beside its server
  const page = join(folder(app), 'src', 'page');
  if (existsSync(join(page, 'page.ts'))) {
    const out = join(folder(app), 'dist', 'page');
    await build({
      entryPoints: { page: join(page, 'page.ts') },
      outdir: out,
      ...browserBundle,
      minify: true,
      sourcemap: true,
      legalComments: 'none',
    });
    for (const file of ['index.html', 'page.css']) copyFileSync(join(page, file), join(out, file));
  }
  console.error(`bundled ${app} in ${Math.round(performance.now() - started)} ms`);
}
