#!/usr/bin/env node
// Launcher: the bundle is built by `npm ci` (the root `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `kubevirt-migration: needs Node 24 or newer, this is ${process.version}; run it as \`npx kubevirt-migration\` from the repository (npm ci installs Node 24 there)\n`,
  );
  process.exit(2);
}
const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('kubevirt-migration: not built yet: run `npm run build` (or `npm ci`) in the repository root\n');
  process.exit(2);
}
await import(bundle.href);
