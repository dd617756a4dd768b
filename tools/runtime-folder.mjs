#!/usr/bin/env node
// Assembles what the image runs: each app's bundle (built by tools/bundle.mjs) in DEST/<app>, and
// nothing else: no node_modules, no sources. tools/image.mjs puts DEST in the image as /app (and
// nothing else does); deploy/src/image.cluster.spec.ts runs the same folder read-only as a non-root user.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The programs the image holds, each an app's bundle. */
export const IMAGE_APPS = ['controller', 'webhook'];

/** Copies each app's bundle into DEST/<app>; throws naming what to build first when one is missing. */
export const assembleRuntimeFolder = (dest) => {
  for (const app of IMAGE_APPS) {
    const dist = join(root, 'apps', app, 'dist');
    if (!existsSync(join(dist, 'main.js'))) throw new Error(`${dist}/main.js is missing: run \`npm run build\` first`);
    mkdirSync(join(resolve(dest), app), { recursive: true });
    cpSync(dist, join(resolve(dest), app), { recursive: true });
  }
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dest = process.argv[2];
  if (dest === undefined) {
    console.error('usage: node tools/runtime-folder.mjs DEST');
    process.exit(2);
  }
  try {
    assembleRuntimeFolder(dest);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  console.error(`runtime folder assembled in ${resolve(dest)}`);
}
