// esbuild settings shared by the app bundles (tools/bundle.mjs) and the benchmarks (tools/bench.mjs).

/**
 * fp-ts and io-ts ship CommonJS (lib/) and ES modules (es6/). Bundled as CommonJS, every `E.isRight`
 * or `t.success` goes through a property getter that esbuild's CommonJS interop defines: measured
 * as 11% of the time of an admission. The ES modules bind directly, so the bundles take those.
 */
const esModulesOfFpTs = {
  name: 'es-modules-of-fp-ts',
  setup(build) {
    build.onResolve({ filter: /^(fp-ts|io-ts)\/lib\// }, (args) =>
      build.resolve(args.path.replace(/^(fp-ts|io-ts)\/lib\//, '$1/es6/'), {
        kind: args.kind,
        resolveDir: args.resolveDir,
      }),
    );
  },
};

export const nodeBundle = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // the ES module entry of a package that has one (io-ts: es6/index.js)
  mainFields: ['module', 'main'],
  conditions: ['@kubevirt-migration/source'],
  plugins: [esModulesOfFpTs],
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

/** The settings page: one ES module for browsers of the last few years, no Node built-ins. */
export const browserBundle = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  mainFields: ['module', 'browser', 'main'],
  conditions: ['@kubevirt-migration/source'],
  plugins: [esModulesOfFpTs],
  logLevel: 'warning',
};
