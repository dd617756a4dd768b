#!/usr/bin/env node
// Assembles what the image runs: each app's bundle (built by tools/bundle.mjs) in DEST/<app>, and
// nothing else: no node_modules, no sources. The Dockerfile copies DEST into the image as /app;
// deploy/src/image.cluster.spec.ts runs the same folder read-only as a non-root user.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dest = process.argv[2];
if (dest === undefined) {
  console.error('usage: node tools/runtime-folder.mjs DEST');
  process.exit(2);
}
for (const app of ['controller', 'webhook']) {
  const dist = join(root, 'apps', app, 'dist');
  if (!existsSync(join(dist, 'main.js'))) {
    console.error(`${dist}/main.js is missing: run \`npm run build\` first`);
    process.exit(1);
  }
  mkdirSync(join(resolve(dest), app), { recursive: true });
  cpSync(dist, join(resolve(dest), app), { recursive: true });
}
console.error(`runtime folder assembled in ${resolve(dest)}`);
