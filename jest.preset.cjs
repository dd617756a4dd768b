/**
 * Shared Jest settings. TypeScript (and the ESM-only packages below) are compiled to CommonJS by
 * SWC; workspace libraries resolve to their sources through the `@kubevirt-migration/source`
 * export condition, so tests never need a build first.
 */
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

/**
 * The ESM-only packages among client-node and its dependencies (nested copies included, resolved
 * as Node would from each dependent's folder), found when Jest loads its config.
 */
const esmDependencies = (root) => {
  const seen = new Set();
  const esm = new Set();
  const locate = (name, fromDir) => {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (dir === dirname(dir)) return undefined;
    }
  };
  const visit = (name, fromDir) => {
    const dir = locate(name, fromDir);
    if (dir === undefined || seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.type === 'module') esm.add(name);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir);
  };
  visit(root, __dirname);
  return [...esm];
};

const esmPackages = esmDependencies('@kubernetes/client-node')
  .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@kubevirt-migration/source', 'node', 'require', 'default'],
  },
  transform: {
    '^.+\\.(ts|js|mjs)$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // tests against the local control plane run in the `cluster` project (jest.cluster.cjs)
  testPathIgnorePatterns: ['/node_modules/', '\\.(cluster|faults|node)\\.spec\\.ts$'],
};
