import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** These tests run the built binary, as a user would after `npm ci`. */
const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'kubevirt-migration.js');
const ex = (name: string) => join(root, 'examples', name);
const CRD = join(root, 'control-plane', 'crds', 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'kubevirt-migration-cli-'));

const runWith = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const run = (...args: string[]) => runWith({}, ...args);
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A loopback port where nothing listens. */
let closedPort = 0;
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  closedPort = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
});

beforeAll(() => {
  if (!existsSync(join(root, 'apps', 'cli', 'dist', 'main.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
});

describe('kubevirt-migration validate', () => {
  it('a real change is accepted: exit 0, -o json is the response without uid', () => {
    const r = run('validate', '--new', ex('setting.yaml'), '--old', ex('setting-default.yaml'), '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ allowed: true });
  });

  it('a wrong schema is rejected: exit 1 with every cause', () => {
    const r = run('validate', '--new', ex('setting-invalid.yaml'), '-o', 'json');
    expect(r.code).toBe(1);
    const response = JSON.parse(r.stdout);
    expect(response.status.code).toBe(422);
    expect(response.status.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'value.bandwidthPerMigraton',
      'value.parallelMigrationsPerCluster',
      'value.nodeDrainTaintKey',
    ]);
  });

  it('a change while a migration runs is rejected with the migrations named', () => {
    const r = run(
      'validate',
      '--new',
      ex('setting.yaml'),
      '--old',
      ex('setting-default.yaml'),
      '--migrations',
      ex('migrations.yaml'),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('default/web-1-migration-9qz4m (Pending), production/db-0-migration-x7k2p (Running)');
  });

  it('an option the given CRD lacks is refused', () => {
    const s = file(
      'uvt.yaml',
      'apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\nvalue: \'{"utilityVolumesTimeout":100}\'\n',
    );
    expect(run('validate', '--new', s).code).toBe(0);
    const r = run('validate', '--new', s, '--kubevirt-crd', CRD);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('value.utilityVolumesTimeout: Unsupported value');
  });

  describe('what KubeVirt and Harvester will do with a value (docs/semantics.md §2, §2a)', () => {
    const settingWith = (name: string, value: string) =>
      file(
        name,
        `apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\nvalue: '${value}'\n`,
      );
    const kubevirtWith = (name: string, gates: readonly string[]) =>
      file(
        name,
        `apiVersion: kubevirt.io/v1\nkind: KubeVirt\nmetadata: {name: kubevirt, namespace: harvester-system}\nspec:\n  configuration:\n    developerConfiguration:\n      featureGates: [${gates.join(', ')}]\n`,
      );

    it('{"progressTimeout":0} is allowed, with a warning saying what turns off', () => {
      const r = run('validate', '--new', settingWith('zero.yaml', '{"progressTimeout":0}'), '-o', 'json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        allowed: true,
        warnings: [
          'progressTimeout is 0, which turns the progress timeout off: a migration that never converges is never cancelled, and a node drain may wait on it',
        ],
      });
    });

    it.each<[string, string, string, string]>([
      [
        'a negative timeout',
        '{"progressTimeout":-1}',
        'value.progressTimeout',
        'Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991',
      ],
      [
        'an integer with a fraction part',
        '{"parallelMigrationsPerCluster":5.0}',
        'value.parallelMigrationsPerCluster',
        'Invalid value: 5.0: must be an integer written as plain digits, without a fraction or exponent, as Go decodes it: write 5',
      ],
      [
        'an integer with an exponent',
        '{"completionTimeoutPerGiB":1e3}',
        'value.completionTimeoutPerGiB',
        'Invalid value: 1e3: must be an integer written as plain digits, without a fraction or exponent, as Go decodes it: write 1000',
      ],
      [
        'a quantity written with a JSON escape',
        '{"bandwidthPerMigration":"\\u0031Gi"}',
        'value.bandwidthPerMigration',
        'Invalid value: "1Gi": is written with a JSON escape ("\\u0031Gi"), which KubeVirt\'s quantity parser does not undo: write "1Gi"',
      ],
    ])('%s is a 422 naming the field', (name, value, field, message) => {
      const r = run('validate', '--new', settingWith(`${field}.yaml`, value), '-o', 'json');
      expect([name, r.code]).toEqual([name, 1]);
      const response = JSON.parse(r.stdout);
      expect(response.status.code).toBe(422);
      expect(response.status.details.causes).toEqual([
        { reason: expect.stringMatching(/^FieldValue/), field, message },
      ]);
    });

    it('{"maxDowntimeMs":500} with --kubevirt of a CR without the gate is a 422 naming MigrationStallDetection; with the gate it is allowed', () => {
      const s = settingWith('downtime.yaml', '{"maxDowntimeMs":500}');
      const refused = run('validate', '--new', s, '--kubevirt', ex('kubevirt.yaml'), '-o', 'json');
      expect(refused.code).toBe(1);
      const response = JSON.parse(refused.stdout);
      expect(response.status.code).toBe(422);
      expect(response.status.details.causes).toEqual([
        expect.objectContaining({
          reason: 'FieldValueForbidden',
          field: 'value.maxDowntimeMs',
          message: expect.stringContaining('MigrationStallDetection'),
        }),
      ]);
      const human = run('validate', '--new', s, '--kubevirt', ex('kubevirt.yaml'));
      expect(human.stdout).toContain(
        'value.maxDowntimeMs: Forbidden: maxDowntimeMs needs the feature gate MigrationStallDetection or MigrationDowntimeTuning',
      );
      for (const gate of ['MigrationStallDetection', 'MigrationDowntimeTuning']) {
        expect([
          gate,
          run('validate', '--new', s, '--kubevirt', kubevirtWith(`kv-${gate}.yaml`, ['LiveMigration', gate])).code,
        ]).toEqual([gate, 0]);
      }
      // without the CR the gates are not known, and not checked
      expect(run('validate', '--new', s).code).toBe(0);
    });

    it('--kubevirt must be a KubeVirt CR', () => {
      const r = run('validate', '--new', ex('setting.yaml'), '--kubevirt', ex('setting.yaml'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^kubevirt-migration: .*setting\.yaml: /);
    });
  });

  it('the human verdict shows causes and warnings', () => {
    const s = file(
      'warn.yaml',
      'apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\nvalue: \'{"progressTimeout":5}\'\n',
    );
    const r = run('validate', '--new', s);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "allowed\n  warning: progressTimeout is 5, below 10 seconds (the Harvester UI's minimum); migrations may be cancelled before they can finish\n",
    );
  });

  it('the human verdict of an invalid setting names the Setting, then each cause at its field', () => {
    const r = run('validate', '--new', ex('setting-invalid.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').map((line) => line.replace(/: .*/, ''))).toEqual([
      'denied (422 Invalid)',
      '  ✗ value.bandwidthPerMigraton',
      '  ✗ value.parallelMigrationsPerCluster',
      '  ✗ value.nodeDrainTaintKey',
      '',
    ]);
    expect(r.stdout).toMatch(/^denied \(422 Invalid\): Setting\.harvesterhci\.io "kubevirt-migration" is invalid\n/);
  });

  it('works offline even with a $KUBECONFIG of a cluster that is not running (only a flag reaches for a cluster)', () => {
    const kubeconfig = file(
      'stopped.kubeconfig',
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${closedPort}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const r = runWith(
      { KUBECONFIG: kubeconfig },
      'validate',
      '--new',
      ex('setting.yaml'),
      '--old',
      ex('setting-default.yaml'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const named = run(
      'validate',
      '--new',
      ex('setting.yaml'),
      '--old',
      ex('setting-default.yaml'),
      '--kubeconfig',
      kubeconfig,
    );
    expect(named.code).toBe(2);
    expect(named.stderr).toBe(
      `kubevirt-migration: https://127.0.0.1:${closedPort}: list VirtualMachineInstanceMigrations: API server unreachable (ECONNREFUSED)\n`,
    );
  });

  it('DELETE is always allowed', () => {
    expect(run('validate', '--new', ex('setting-invalid.yaml'), '--operation', 'DELETE').code).toBe(0);
  });

  it.each<[string, string[], RegExp]>([
    [
      '--operation UPDATE without --old',
      ['validate', '--new', 'SETTING', '--operation', 'UPDATE'],
      /--operation UPDATE needs --old FILE/,
    ],
    [
      'an unknown operation',
      ['validate', '--new', 'SETTING', '--operation', 'PATCH'],
      /--operation must be one of CREATE, UPDATE, DELETE/,
    ],
    [
      'a missing file',
      ['validate', '--new', '/nonexistent/setting.yaml'],
      /^kubevirt-migration: \/nonexistent\/setting.yaml: cannot read: no such file\n$/,
    ],
    ['a missing --new', ['validate'], /validate needs --new FILE \(a Setting\) or --policy FILE/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ])('bad usage exits 2: %s', (_name, args, message) => {
    const r = run(...args.map((a) => (a === 'SETTING' ? ex('setting.yaml') : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each<[string, string, RegExp]>([
    ['not YAML or JSON', 'key: [unclosed\n', /not valid YAML or JSON \(line \d+, column \d+\)/],
    [
      'the wrong kind',
      'apiVersion: kubevirt.io/v1\nkind: KubeVirt\nmetadata: {name: kubevirt}\n',
      /expected a Setting \(harvesterhci.io\/v1beta1\), found kind KubeVirt/,
    ],
    ['empty', '', /empty: expected a Kubernetes object/],
    ['two documents', 'kind: Setting\n---\nkind: Setting\n', /expected one Setting, found 2 documents/],
    ['binary', '\u0000\u0001\u0002', /not YAML or JSON \(binary content\)/],
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [${Array(10)
            .fill(i === 0 ? '*a' : `*b${i - 1}`)
            .join(', ')}]`,
      ).join('\n')}\n`,
      /not usable YAML or JSON: Excessive alias count/,
    ],
    ['YAML nested 100,000 levels', `${'['.repeat(100000)}${']'.repeat(100000)}\n`, /not (usable|valid) YAML or JSON/],
    [
      'a value nested 5,000 levels (decoded as one violation, never a crash)',
      `apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: x}\nvalue: '${'['.repeat(5000)}${']'.repeat(5000)}'\n`,
      /$^/,
    ],
  ])('an unreadable setting file (%s) is one clear line naming it, exit 2', (_name, text, message) => {
    const p = file(`bad-${_name.replace(/\W/g, '')}.yaml`, text);
    const r = run('validate', '--new', p);
    if (_name.startsWith('a value nested')) {
      // readable: the Setting is decoded, and its deep value is one violation (not this setting's name: allowed)
      expect([r.code, r.stderr]).toEqual([0, '']);
      return;
    }
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`kubevirt-migration: ${p}: `)).toBe(true);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a value nested 5,000 levels in the Setting is denied as one violation of value', () => {
    const p = file(
      'deep-value.yaml',
      `apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\nvalue: '${'['.repeat(5000)}${']'.repeat(5000)}'\n`,
    );
    const r = run('validate', '--new', p, '-o', 'json');
    expect(r.code).toBe(1);
    expect(
      (JSON.parse(r.stdout) as { status: { details: { causes: { field: string; message: string }[] } } }).status.details
        .causes,
    ).toEqual([
      { reason: 'FieldValueInvalid', field: 'value', message: expect.stringMatching(/nested deeper than 100 levels$/) },
    ]);
  });

  it('/dev/zero is refused after 16 MiB actually read, not read forever', () => {
    const r = run('validate', '--new', '/dev/zero');
    expect([r.code, r.stderr]).toEqual([2, 'kubevirt-migration: /dev/zero: too large (more than 16 MiB)\n']);
  });

  it('a FIFO that no program writes to is given up, not waited on forever', () => {
    const fifo = join(tmp, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = run('validate', '--new', fifo);
    expect([r.code, r.stderr]).toEqual([2, `kubevirt-migration: ${fifo}: a pipe that no program writes to\n`]);
  }, 15000);

  it('a setting on standard input is read', () => {
    const r = spawnSync(process.execPath, [bin, 'validate', '--new', '/dev/stdin'], {
      input: 'apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\nvalue: "{}"\n',
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NO_COLOR: '1' },
    });
    expect([r.status, r.stdout.trim()]).toEqual([0, 'allowed']);
  });

  it.each<[string, () => string, RegExp]>([
    ['a directory', () => tmp, /^kubevirt-migration: kubeconfig .*: is a directory, not a kubeconfig file\n$/],
    [
      'garbage',
      () => file('garbage.kubeconfig', '{{{ not: yaml ::: ['),
      /^kubevirt-migration: kubeconfig .*garbage\.kubeconfig: not valid YAML: [^\n]*\n$/,
    ],
    [
      'a missing file',
      () => join(tmp, 'missing.kubeconfig'),
      /^kubevirt-migration: kubeconfig .*missing\.kubeconfig: no such file\n$/,
    ],
  ])('--kubeconfig on %s is one line naming it', (_name, path, message) => {
    const r = run('diff', '--kubeconfig', path());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a 50 MB file is refused without being read', () => {
    const p = join(tmp, 'huge.yaml');
    writeFileSync(p, '');
    truncateSync(p, 50 * 1024 * 1024);
    const r = run('validate', '--new', p);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kubevirt-migration: ${p}: too large (50.0 MiB; at most 16 MiB is read)\n`);
  });

  it('a migrations file holding something else names the item', () => {
    const r = run('validate', '--new', ex('setting.yaml'), '--migrations', ex('kubevirt.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('item 1: expected a VirtualMachineInstanceMigration');
  });
});

describe('kubevirt-migration diff', () => {
  it('a patch: exit 1, -o json with outcome, patch, before and after', () => {
    const r = run(
      'diff',
      '--setting',
      ex('setting.yaml'),
      '--kubevirt',
      ex('kubevirt.yaml'),
      '--kubevirt-crd',
      CRD,
      '-o',
      'json',
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.outcome).toBe('Patch');
    expect(out.patch[0]).toMatchObject({ op: 'test', path: '/spec/configuration/migrations' });
    expect(out.violations).toEqual([]);
    expect(out.after).toEqual({
      network: 'vm-migration-network',
      parallelMigrationsPerCluster: 8,
      parallelOutboundMigrationsPerNode: 3,
      bandwidthPerMigration: '512Mi',
      completionTimeoutPerGiB: 300,
      progressTimeout: 150,
      allowAutoConverge: true,
    });
    expect(out.before.nodeDrainTaintKey).toBe('example.com/drain');
  });

  it('the human diff is a unified diff of the block in YAML, plain without a TTY', () => {
    const r = run('diff', '--setting', ex('setting.yaml'), '--kubevirt', ex('kubevirt.yaml'));
    expect(r.stdout).toContain(
      '--- harvester-system/kubevirt spec.configuration.migrations (current)\n+++ harvester-system/kubevirt spec.configuration.migrations (planned)\n@@',
    );
    expect(r.stdout).toContain('\n-parallelMigrationsPerCluster: 5\n');
    expect(r.stdout).toContain('\n+parallelMigrationsPerCluster: 8\n');
    expect(r.stdout).toContain('\n network: vm-migration-network\n');
    expect(r.stdout).toContain('DrainKeyRemoved:');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('no change: exit 0', () => {
    const cr = file(
      'converged.yaml',
      'apiVersion: kubevirt.io/v1\nkind: KubeVirt\nmetadata: {name: kubevirt, namespace: harvester-system}\nspec:\n  configuration:\n    migrations: {parallelMigrationsPerCluster: 8, parallelOutboundMigrationsPerNode: 3, bandwidthPerMigration: 536870912, completionTimeoutPerGiB: 300, progressTimeout: 150, allowAutoConverge: true}\n',
    );
    const r = run('diff', '--setting', ex('setting.yaml'), '--kubevirt', cr, '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'Unchanged', patch: [] });
  });

  it('an invalid setting: exit 2 with the violations', () => {
    const r = run('diff', '--setting', ex('setting-invalid.yaml'), '--kubevirt', ex('kubevirt.yaml'), '-o', 'json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'Invalid', patch: [], violations: [{}, {}, {}] });
  });

  it('each violation of -o json is data: its path as keys and its detail, beside the rendered field and message', () => {
    const r = run('diff', '--setting', ex('setting-invalid.yaml'), '--kubevirt', ex('kubevirt.yaml'), '-o', 'json');
    expect(JSON.parse(r.stdout).violations[1]).toEqual({
      reason: 'FieldValueInvalid',
      field: 'value.parallelMigrationsPerCluster',
      message: 'Invalid value: 0: must be from 1 to 2147483647',
      path: ['value', 'parallelMigrationsPerCluster'],
      detail: 'must be from 1 to 2147483647',
    });
  });

  it('first sight: an adoption, exit 1, with the value it would write', () => {
    const blank = file(
      'blank.yaml',
      'apiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata: {name: kubevirt-migration}\ndefault: \'{"parallelMigrationsPerCluster":5}\'\n',
    );
    const r = run('diff', '--setting', blank, '--kubevirt', ex('kubevirt.yaml'), '-o', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ outcome: 'Adopt', patch: [] });
    expect(JSON.parse(out.value)).toMatchObject({
      parallelMigrationsPerCluster: 5,
      bandwidthPerMigration: '0',
      progressTimeout: 150,
    });
  });

  it('without files and without a cluster, names the missing flag', () => {
    const r = run('diff', '--kubevirt', ex('kubevirt.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kubevirt-migration: --setting is required when no cluster is used\n');
  });
});

describe('kubevirt-migration adopt and schema', () => {
  it("adopt prints the value that keeps the CR's owned options", () => {
    const r = run('adopt', '--kubevirt', ex('kubevirt.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"parallelMigrationsPerCluster":5,"parallelOutboundMigrationsPerNode":2,"bandwidthPerMigration":"0","completionTimeoutPerGiB":150,"progressTimeout":150,"allowAutoConverge":false,"allowPostCopy":false,"allowWorkloadDisruption":false,"unsafeMigrationOverride":false,"disableTLS":false,"matchSELinuxLevelOnMigration":false}\n',
    );
  });

  it('adopt --apply without a cluster is a usage error', () => {
    const r = run('adopt', '--kubevirt', ex('kubevirt.yaml'), '--apply');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--apply needs a cluster');
  });

  it('schema prints a JSON Schema', () => {
    const r = run('schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'object', additionalProperties: false });
  });
});

describe('kubevirt-migration explain', () => {
  it('names the feature gates an option needs', () => {
    expect(run('explain', 'maxDowntimeMs').stdout).toMatch(
      / feature gates: +MigrationStallDetection or MigrationDowntimeTuning: one must be enabled on the KubeVirt CR to set or change it\n/,
    );
  });

  it("says what an option means and accepts, with the installed CRD's description when a CRD is given", () => {
    const r = run('explain', 'progressTimeout', '--kubevirt-crd', CRD);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^progressTimeout\n/);
    expect(r.stdout).toMatch(/ accepted: +0 \(turns the progress timeout off\) to 9007199254740991\n/);
    expect(r.stdout).toMatch(/ KubeVirt default: +150\n/);
    expect(r.stdout).toMatch(/ Harvester UI minimum: +10\n/);
    expect(r.stdout).toMatch(/ installed CRD: +lists it\n/);
    expect(r.stdout).toMatch(/ CRD description: +\S/);
  });

  it('-o json and -o yaml give the same facts', () => {
    const j = JSON.parse(run('explain', 'maxDowntimeMs', '--kubevirt-crd', CRD, '-o', 'json').stdout) as Record<
      string,
      unknown
    >;
    expect(j).toMatchObject({
      key: 'maxDowntimeMs',
      type: 'integer',
      accepted: '1 to 2000000',
      kubevirtDefault: 900,
      since: 'KubeVirt 1.9',
      featureGates: ['MigrationStallDetection', 'MigrationDowntimeTuning'],
      installedCrdLists: false,
    });
    expect(run('explain', 'maxDowntimeMs', '--kubevirt-crd', CRD, '-o', 'yaml').stdout).toMatch(
      /^key: maxDowntimeMs\ntype: integer\n/,
    );
  });

  it('an unknown option lists the options, exit 2', () => {
    const r = run('explain', 'bandwith');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^kubevirt-migration: no option named "bandwith"; the options are parallelMigrationsPerCluster, /,
    );
  });
});

describe('-o yaml', () => {
  it('validate, diff and schema speak YAML too', () => {
    expect(run('validate', '--new', ex('setting.yaml'), '--old', ex('setting-default.yaml'), '-o', 'yaml').stdout).toBe(
      'allowed: true\n',
    );
    expect(
      run('diff', '--setting', ex('setting.yaml'), '--kubevirt', ex('kubevirt.yaml'), '-o', 'yaml').stdout,
    ).toMatch(/^outcome: Patch\npatch:\n/);
    expect(run('schema', '-o', 'yaml').stdout).toMatch(
      /^\$schema: https:\/\/json-schema.org\/draft\/2020-12\/schema\n/,
    );
    expect(run('adopt', '--kubevirt', ex('kubevirt.yaml'), '-o', 'yaml').stdout).toMatch(
      /^value: '\{"parallelMigrationsPerCluster":5,/,
    );
  });
});
