/** Every project's tests in one run (the README's `npm test`), and the cluster tests. */
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const projects = ['libs', 'apps']
  .flatMap((dir) => readdirSync(join(__dirname, dir)).map((name) => join(__dirname, dir, name, 'jest.config.cjs')))
  .filter((config) => existsSync(config));

module.exports = {
  projects: [...projects, join(__dirname, 'deploy', 'jest.config.cjs'), join(__dirname, 'jest.cluster.cjs')],
  // Cluster tests share one API server and its singletons (the Setting kubevirt-migration and
  // harvester-system/kubevirt): test files run one at a time.
  maxWorkers: 1,
};
