/** Every project's tests in one run (the README's `npm test`). */
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const projects = ['libs', 'apps'].flatMap((dir) =>
  readdirSync(join(__dirname, dir))
    .map((name) => join(__dirname, dir, name, 'jest.config.cjs'))
    .filter((config) => existsSync(config)),
);

module.exports = { projects };
