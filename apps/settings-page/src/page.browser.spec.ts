/**
 * The settings page in a real browser (the system's Chromium, driven by playwright-core): the page
 * bundle as built, served by the app's own server, the policy library running in the page.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { readKubevirtOptions } from './kubevirt-options.js';
import { pageServer } from './server.js';
import { CHROMIUM_ARGS, chromiumPath } from './testing/chromium.js';

const ROOT = join(__dirname, '..', '..', '..');
const CRD = join(ROOT, 'control-plane', 'crds', 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml');
const SCREENSHOT = join(ROOT, 'reports', 'settings-page.png');

const CR = `apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata:
  name: kubevirt
  namespace: harvester-system
spec:
  configuration:
    migrations:
      parallelMigrationsPerCluster: 5
      bandwidthPerMigration: "0"
`;

jest.setTimeout(120000);

let browser: Browser | undefined;
let server: ReturnType<typeof pageServer> | undefined;
let page: Page;
/** What the page said on its console as errors, and what it threw: none is expected. */
const problems: string[] = [];

beforeAll(async () => {
  // the page as the current sources build it
  const built = spawnSync(process.execPath, [join(ROOT, 'tools', 'bundle.mjs'), 'settings-page'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`bundling the settings page failed: ${built.stderr}`);
  server = pageServer(join(ROOT, 'apps', 'settings-page', 'dist', 'page'), readKubevirtOptions(CRD));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('[data-field="parallelMigrationsPerCluster"] input');
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
});

const messagesAt = (key: string): Promise<string[]> => page.locator(`#messages-${key} li`).allTextContents();

describe('the settings page in Chromium', () => {
  it("builds the form from the schema, with the KubeVirt CRD's help and its option list", async () => {
    await expect(page.locator('[data-field]').count()).resolves.toBe(15);
    await expect(page.locator('#help-allowPostCopy').textContent()).resolves.toMatch(
      /^AllowPostCopy enables post-copy live migrations/,
    );
    await expect(page.locator('#input-maxDowntimeMs').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#input-network').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#value-text').inputValue()).resolves.toBe('{}');
  });

  it('shows a bad value’s violation at its field, and no patch', async () => {
    await page.fill('#kubevirt-cr', CR);
    await page.fill('#input-parallelMigrationsPerCluster', '0');
    await expect(messagesAt('parallelMigrationsPerCluster')).resolves.toEqual([
      expect.stringMatching(/^✖?\s*Invalid value: 0: /),
    ]);
    await expect(page.locator('[data-field="parallelMigrationsPerCluster"]').getAttribute('class')).resolves.toContain(
      'invalid',
    );
    await expect(page.locator('#status').textContent()).resolves.toMatch(/^Invalid/);
    await expect(page.locator('#diff').textContent()).resolves.toMatch(/^No patch: the value is invalid/);
    await expect(page.locator('#value-text').inputValue()).resolves.toBe('{"parallelMigrationsPerCluster":0}');
  });

  it('fixing it updates the text and the diff', async () => {
    await page.fill('#input-parallelMigrationsPerCluster', '3');
    await expect(messagesAt('parallelMigrationsPerCluster')).resolves.toEqual([]);
    await expect(page.locator('#status').textContent()).resolves.toMatch(/^Valid/);
    await expect(page.locator('#value-text').inputValue()).resolves.toBe('{"parallelMigrationsPerCluster":3}');
    await expect(page.locator('#diff .ops').textContent()).resolves.toContain(
      'replace /spec/configuration/migrations/parallelMigrationsPerCluster = 3',
    );
    await expect(page.locator('#after').textContent()).resolves.toContain('"parallelMigrationsPerCluster": 3');
  });

  it('shows a warning at its field, and several fields at once', async () => {
    await page.fill('#input-bandwidthPerMigration', '64');
    await page.selectOption('#input-allowPostCopy', 'true');
    await page.selectOption('#input-allowWorkloadDisruption', 'false');
    await page.fill('#input-progressTimeout', 'soon');
    await expect(messagesAt('bandwidthPerMigration')).resolves.toEqual([]);
    await expect(messagesAt('progressTimeout')).resolves.toEqual([expect.stringContaining('Invalid value: "soon"')]);
    await page.fill('#input-progressTimeout', '300');
    await expect(messagesAt('bandwidthPerMigration')).resolves.toEqual([
      expect.stringContaining('did you mean "64Mi"?'),
    ]);
    await expect(messagesAt('allowWorkloadDisruption')).resolves.toEqual([
      expect.stringContaining('post-copy never starts'),
    ]);
    await expect(page.locator('#value-text').inputValue()).resolves.toBe(
      '{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"64","progressTimeout":300,"allowPostCopy":true,"allowWorkloadDisruption":false}',
    );
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('says what is wrong with a pasted text that is not a KubeVirt CR', async () => {
    await page.fill('#kubevirt-cr', 'kind: Pod');
    await expect(page.locator('#diff').textContent()).resolves.toMatch(/^paste a KubeVirt CR/);
  });

  it('shows the configuration a pasted VMI would migrate with, the winning policy and each source', async () => {
    const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');
    await page.fill('#kubevirt-cr', CR);
    await page.fill('#vmi', example('vmi.yaml'));
    await page.fill('#namespace', example('namespace.yaml'));
    await page.fill('#policies', example('migration-policies.yaml'));
    await expect(page.locator('#effective-policy').textContent()).resolves.toBe(
      'MigrationPolicy busy-databases wins with 2 matching labels (VMI 1, Namespace 1).',
    );
    await expect(page.locator('[data-option="completionTimeoutPerGiB"]').textContent()).resolves.toBe(
      'completionTimeoutPerGiB800policy',
    );
    await expect(page.locator('[data-option="parallelMigrationsPerCluster"]').textContent()).resolves.toBe(
      'parallelMigrationsPerCluster3kubevirt',
    );
    await page.fill('#vmi', 'kind: Pod');
    await expect(page.locator('#effective').textContent()).resolves.toBe('paste one VirtualMachineInstance as the VMI');
  });

  it('ran without a console error or an uncaught exception (the CSP allows all it loads)', () => {
    expect(problems).toEqual([]);
  });
});
