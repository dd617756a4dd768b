#!/usr/bin/env node
// Launcher: the bundle is built by `npm ci` (the root `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('kubevirt-migration: not built yet: run `npm run build` (or `npm ci`) in the repository root\n');
  process.exit(2);
}
await import(bundle.href);
