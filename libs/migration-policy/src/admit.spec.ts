import fc from 'fast-check';

import { type AdmissionInput, admit, decideAdmission } from './admit.js';
import { HARVESTER_DEFAULT } from './setting.js';
import { setting, SUPPORTED_170 as supported170, vmim } from './testing/fixtures.js';

const update = (
  oldValue: string | undefined,
  newValue: string | undefined,
  migrations: AdmissionInput['migrations'] = [],
  more: Partial<AdmissionInput> = {},
) => admit({ operation: 'UPDATE', oldObject: setting(oldValue), object: setting(newValue), migrations, ...more });

const running = vmim('default', 'vm1', { phase: 'Running' });
const CHANGE = '{"parallelMigrationsPerCluster":3}';

describe('admission: the HEP test plan', () => {
  it('(1) a wrong schema is rejected with 422 Invalid and every cause', () => {
    const r = update(undefined, '{"parallelMigrationsPerCluster":"5","allowPostcopy":true}');
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(422);
    expect(r.status?.reason).toBe('Invalid');
    expect(r.status?.details?.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        field: 'value.allowPostcopy',
        message: 'Unsupported value: "allowPostcopy": unknown option; did you mean "allowPostCopy"?',
      },
      {
        reason: 'FieldValueTypeInvalid',
        field: 'value.parallelMigrationsPerCluster',
        message: 'Invalid value: "5": must be an integer from 1 to 2147483647',
      },
    ]);
    expect(r.status?.message).toBe(
      'Setting.harvesterhci.io "kubevirt-migration" is invalid: [value.allowPostcopy: Unsupported value: "allowPostcopy": unknown option; did you mean "allowPostCopy"?, value.parallelMigrationsPerCluster: Invalid value: "5": must be an integer from 1 to 2147483647]',
    );
  });

  it('(2) a change to nodeDrainTaintKey is rejected', () => {
    const r = update(undefined, '{"nodeDrainTaintKey":"example.com/drain"}');
    expect(r.status?.message).toBe(
      'Setting.harvesterhci.io "kubevirt-migration" is invalid: value.nodeDrainTaintKey: Forbidden: nodeDrainTaintKey may not be set here: it is owned by Harvester (its upgrade taints nodes with kubevirt.io/drain); only "" or leaving it out is accepted',
    );
    expect(r.status?.details?.causes.map((c) => c.reason)).toEqual(['FieldValueForbidden']);
  });

  it('(3) a change to network is rejected', () => {
    const r = update(undefined, '{"network":"migration"}');
    expect(r).toMatchObject({
      allowed: false,
      status: { code: 422, details: { causes: [{ reason: 'FieldValueForbidden', field: 'value.network' }] } },
    });
  });

  it('(4) a change is rejected while a VM migration is in progress', () => {
    const r = update(undefined, CHANGE, [running]);
    expect(r).toEqual({
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        code: 400,
        reason: 'BadRequest',
        message:
          'Setting.harvesterhci.io "kubevirt-migration" cannot be changed while a migration is in progress: default/vm1 (Running); retry when it has finished',
      },
    });
  });

  it('(5) a real change is accepted', () => {
    expect(update(undefined, CHANGE, [vmim('default', 'done', { phase: 'Succeeded' })])).toEqual({ allowed: true });
  });
});

describe('admission: section 4 rules', () => {
  it('a Setting with another name is allowed whatever its value', () => {
    expect(
      admit({ operation: 'UPDATE', object: setting('nonsense', { name: 'other' }), migrations: [running] }),
    ).toEqual({ allowed: true });
  });

  it('DELETE is allowed, even of a broken setting during a migration', () => {
    expect(admit({ operation: 'DELETE', oldObject: setting('nonsense'), migrations: [running] })).toEqual({
      allowed: true,
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a label', { metadata: { name: 'kubevirt-migration', labels: { a: 'b' } } }],
    ['an annotation', { metadata: { name: 'kubevirt-migration', annotations: { a: 'b' } } }],
    ['status', { status: { conditions: [{ type: 'configured', status: 'True' }] } }],
  ])('an update of %s is allowed while migrations run', (_what, patch) => {
    const old = setting(CHANGE);
    const next = { ...old, ...patch, metadata: { ...old.metadata, ...(patch.metadata as object | undefined) } };
    expect(admit({ operation: 'UPDATE', oldObject: old, object: next, migrations: [running] })).toEqual({
      allowed: true,
    });
  });

  it.each([
    [
      'reformatted JSON',
      '{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}',
      ' {\n "bandwidthPerMigration": "1024Mi", "parallelMigrationsPerCluster": 3 }',
    ],
    [
      'a protected key set to ""',
      '{"parallelMigrationsPerCluster":3}',
      '{"parallelMigrationsPerCluster":3,"network":""}',
    ],
    ['a null added', '{"parallelMigrationsPerCluster":3}', '{"parallelMigrationsPerCluster":3,"progressTimeout":null}'],
    ['value cleared to the same default', HARVESTER_DEFAULT, ''],
    ['bandwidth 0 written as 0Mi', '{"bandwidthPerMigration":0}', '{"bandwidthPerMigration":"0Mi"}'],
  ])('%s is not a change, so it is allowed while migrations run', (_name, before, after) => {
    expect(update(before, after, [running])).toEqual({ allowed: true });
  });

  it('an old object that does not decode counts as different from any valid new one', () => {
    expect(update('not json', CHANGE, [running]).allowed).toBe(false);
    expect(update('not json', CHANGE, []).allowed).toBe(true);
  });

  it('CREATE compares with the new object own default', () => {
    const create = (value: string | undefined) =>
      admit({ operation: 'CREATE', object: setting(value), migrations: [running] });
    expect(create(undefined)).toEqual({ allowed: true });
    expect(create(HARVESTER_DEFAULT)).toEqual({ allowed: true });
    expect(create(CHANGE).allowed).toBe(false);
  });

  it.each<[string, unknown, boolean]>([
    ['Running', vmim('a', 'm', { phase: 'Running' }), true],
    ['an empty phase (pending)', vmim('a', 'm', { phase: '' }), true],
    ['no status at all', vmim('a', 'm'), true],
    ['Scheduling with no migrationState', vmim('a', 'm', { phase: 'Scheduling' }), true],
    ['Succeeded', vmim('a', 'm', { phase: 'Succeeded' }), false],
    ['Failed', vmim('a', 'm', { phase: 'Failed' }), false],
    ['completed by migrationState', vmim('a', 'm', { phase: 'Running', migrationState: { completed: true } }), false],
    ['being deleted', vmim('a', 'm', { phase: 'Running' }, '2026-11-23T00:00:00Z'), false],
    ['not an object', 'garbage', true],
  ])('a migration that is %s blocks a change: %s', (_name, migration, blocks) => {
    expect(update(undefined, CHANGE, [migration]).allowed).toBe(!blocks);
  });

  it('names the migrations sorted by namespace and name, at most five', () => {
    const list = [
      vmim('b', 'x', { phase: 'Running' }),
      vmim('a', 'z', {}),
      vmim('a', 'y', { phase: 'Scheduling' }),
      vmim('c', 'p', { phase: 'PreparingTarget' }),
      vmim('a', 'a', { phase: 'Running' }),
      vmim('d', 'q', { phase: 'Pending' }),
      vmim('e', 'r', { phase: 'TargetReady' }),
      vmim('f', 's', { phase: 'Succeeded' }),
    ];
    expect(update(undefined, CHANGE, list).status?.message).toBe(
      'Setting.harvesterhci.io "kubevirt-migration" cannot be changed while 7 migrations are in progress: a/a (Running), a/y (Scheduling), a/z (Pending), b/x (Running), c/p (PreparingTarget) and 2 more; retry when they have finished',
    );
  });

  it('an option the installed CRD would prune is rejected', () => {
    const r = update(undefined, '{"maxDowntimeMs":300}', [], { supportedOptions: supported170 });
    expect(r.status?.details?.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        field: 'value.maxDowntimeMs',
        message:
          'Unsupported value: "maxDowntimeMs": the installed KubeVirt CRD does not list this option, so the API server would silently drop it',
      },
    ]);
  });
});

describe('admission: warnings', () => {
  it.each<[string, string, string[]]>([
    [
      'post-copy that never starts',
      '{"allowPostCopy":true,"allowWorkloadDisruption":false}',
      [
        'allowPostCopy is true but allowWorkloadDisruption is false, so post-copy never starts; leave allowWorkloadDisruption out (it then follows allowPostCopy) or set it to true',
      ],
    ],
    [
      'a completion timeout below 10',
      '{"completionTimeoutPerGiB":9}',
      [
        "completionTimeoutPerGiB is 9, below 10 seconds per GiB (the Harvester UI's minimum); migrations may be cancelled before they can finish",
      ],
    ],
    [
      'a progress timeout below 10',
      '{"progressTimeout":1}',
      [
        "progressTimeout is 1, below 10 seconds (the Harvester UI's minimum); migrations may be cancelled before they can finish",
      ],
    ],
    [
      'a progress timeout of 0, which turns it off',
      '{"progressTimeout":0}',
      [
        'progressTimeout is 0, which turns the progress timeout off: a migration that never converges is never cancelled, and a node drain may wait on it',
      ],
    ],
    [
      'a completion timeout of 0, which turns it off',
      '{"completionTimeoutPerGiB":0}',
      [
        'completionTimeoutPerGiB is 0, which turns the completion timeout off: a migration that never converges is never cancelled, and a node drain may wait on it',
      ],
    ],
    [
      'a bare-number bandwidth below 1 MiB/s (the Harvester UI saves one)',
      '{"bandwidthPerMigration":64}',
      ['bandwidthPerMigration 64 means 64 bytes per second, which KubeVirt rounds up to 1 MiB/s; did you mean "64Mi"?'],
    ],
    [
      'a bare-number bandwidth string of one byte',
      '{"bandwidthPerMigration":"1"}',
      ['bandwidthPerMigration "1" means 1 byte per second, which KubeVirt rounds up to 1 MiB/s; did you mean "1Mi"?'],
    ],
    [
      'a bare number just below 1 MiB/s',
      '{"bandwidthPerMigration":1048575}',
      [
        'bandwidthPerMigration 1048575 means 1048575 bytes per second, which KubeVirt rounds up to 1 MiB/s; did you mean "1048575Mi"?',
      ],
    ],
  ])('warns on %s', (_name, value, warnings) => {
    expect(update(undefined, value)).toEqual({ allowed: true, warnings });
  });

  it.each([
    ['allowPostCopy with allowWorkloadDisruption unset', '{"allowPostCopy":true}'],
    ['allowPostCopy with allowWorkloadDisruption true', '{"allowPostCopy":true,"allowWorkloadDisruption":true}'],
    ['timeouts of exactly 10', '{"completionTimeoutPerGiB":10,"progressTimeout":10}'],
    ['a configuration without post-copy', '{"allowWorkloadDisruption":false}'],
    ['a bandwidth of 0 (no limit)', '{"bandwidthPerMigration":0}'],
    ['a bare number of exactly 1 MiB/s', '{"bandwidthPerMigration":1048576}'],
    ['a small bandwidth with a suffix', '{"bandwidthPerMigration":"64k"}'],
    ['a small bandwidth with an exponent', '{"bandwidthPerMigration":"1e3"}'],
  ])('does not warn on %s', (_name, value) => {
    expect(update(undefined, value)).toEqual({ allowed: true });
  });

  it('several warnings come in one answer, in order', () => {
    expect(
      update(
        undefined,
        '{"progressTimeout":1,"completionTimeoutPerGiB":2,"allowPostCopy":true,"allowWorkloadDisruption":false}',
      ).warnings,
    ).toHaveLength(3);
  });

  it('warns only on a request that changes the configuration', () => {
    const value = '{"progressTimeout":1}';
    expect(update(value, `${value} `)).toEqual({ allowed: true });
  });
});

describe('admission: properties', () => {
  it('never throws on arbitrary JSON, and always answers allowed or a 400/422 status', () => {
    const anySetting = fc.oneof(
      fc.jsonValue(),
      fc.record({
        metadata: fc.record({ name: fc.constantFrom('kubevirt-migration', 'x') }),
        value: fc.oneof(fc.json(), fc.string(), fc.jsonValue()),
        default: fc.oneof(fc.json(), fc.jsonValue()),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT', 'junk'),
        anySetting,
        anySetting,
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        (operation, object, oldObject, migrations) => {
          const r = admit({ operation, object, oldObject, migrations });
          expect(r.allowed || r.status?.code === 422 || r.status?.code === 400).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('admission: the shape of each answer', () => {
  it('an invalid setting is denied with the Kubernetes Status of a 422, details included', () => {
    expect(admit({ operation: 'CREATE', object: setting('{"progressTimeout":-1}'), migrations: [] })).toEqual({
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        message:
          'Setting.harvesterhci.io "kubevirt-migration" is invalid: value.progressTimeout: Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991',
        reason: 'Invalid',
        code: 422,
        details: {
          name: 'kubevirt-migration',
          group: 'harvesterhci.io',
          kind: 'Setting',
          causes: [
            {
              reason: 'FieldValueInvalid',
              field: 'value.progressTimeout',
              message: 'Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991',
            },
          ],
        },
      },
    });
  });

  it('several violations are listed in brackets', () => {
    expect(
      admit({ operation: 'CREATE', object: setting('{"progressTimeout":-1,"network":"x"}'), migrations: [] }).status
        ?.message,
    ).toBe(
      'Setting.harvesterhci.io "kubevirt-migration" is invalid: [value.progressTimeout: Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991, value.network: Forbidden: network may not be set here: it is owned by the vm-migration-network setting; only "" or leaving it out is accepted]',
    );
  });

  it('a DELETE is allowed without looking at the object', () => {
    expect(admit({ operation: 'DELETE', object: setting('{"progressTimeout":0}'), migrations: [running] })).toEqual({
      allowed: true,
    });
  });

  it("CREATE compares with the new object's own default: the default itself is no change", () => {
    expect(admit({ operation: 'CREATE', object: setting(undefined), migrations: [running] })).toEqual({
      allowed: true,
    });
    expect(admit({ operation: 'CREATE', object: setting(CHANGE), migrations: [running] }).allowed).toBe(false);
    expect(admit({ operation: 'CREATE', object: setting(CHANGE, { default: CHANGE }), migrations: [running] })).toEqual(
      { allowed: true },
    );
  });

  it('CREATE with a default that does not decode is denied as invalid', () => {
    expect(
      admit({ operation: 'CREATE', object: setting(undefined, { default: '{' }), migrations: [] }).status?.code,
    ).toBe(422);
  });

  it('an object without a name is not this Setting', () => {
    expect(admit({ operation: 'UPDATE', object: { value: 'nonsense' }, migrations: [running] })).toEqual({
      allowed: true,
    });
  });

  it('finished migrations do not block a change', () => {
    expect(
      update(undefined, CHANGE, [
        vmim('a', 'done', { phase: 'Succeeded' }),
        vmim('a', 'gone', { phase: 'Running' }, '2026-01-01T00:00:00Z'),
      ]),
    ).toEqual({
      allowed: true,
    });
  });
});

describe('admission: when the migrations cannot be vouched for (docs/semantics.md §4)', () => {
  const unknown = { unknown: 'watch virtualmachineinstancemigrations: API server unreachable (ECONNREFUSED)' };

  it('a change is refused with 503, saying why', () => {
    expect(update(undefined, CHANGE, unknown)).toEqual({
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        message:
          'Setting.harvesterhci.io "kubevirt-migration" cannot be changed now: it is not known whether a migration is in progress (watch virtualmachineinstancemigrations: API server unreachable (ECONNREFUSED)); retry in a few seconds',
        reason: 'ServiceUnavailable',
        code: 503,
      },
    });
  });

  it('what needs no knowledge of migrations is decided as always: no change allowed, an invalid value denied, DELETE allowed', () => {
    expect(update(CHANGE, CHANGE, unknown)).toEqual({ allowed: true });
    expect(update(undefined, '{"progressTimeout":-1}', unknown).status?.code).toBe(422);
    expect(admit({ operation: 'DELETE', object: setting(CHANGE), migrations: unknown })).toEqual({ allowed: true });
  });
});

describe('admission: feature gates (docs/semantics.md §2a)', () => {
  const NO_GATE = new Set(['LiveMigration', 'HotplugVolumes']);
  const GATE_MESSAGE =
    "Forbidden: maxDowntimeMs needs the feature gate MigrationStallDetection or MigrationDowntimeTuning, which the KubeVirt CR does not enable (KubeVirt refuses a change of maxDowntimeMs without it): add the gate to the CR's spec.configuration.developerConfiguration.featureGates first, or leave maxDowntimeMs as it is";

  it('a new maxDowntimeMs while the CR enables neither gate: 422, naming the gates and the field', () => {
    const r = update(undefined, '{"maxDowntimeMs":500}', [], { featureGates: NO_GATE });
    expect(r).toMatchObject({ allowed: false, status: { code: 422, reason: 'Invalid' } });
    expect(r.status?.details?.causes).toEqual([
      { reason: 'FieldValueForbidden', field: 'value.maxDowntimeMs', message: GATE_MESSAGE },
    ]);
    expect(r.status?.message).toBe(
      `Setting.harvesterhci.io "kubevirt-migration" is invalid: value.maxDowntimeMs: ${GATE_MESSAGE}`,
    );
  });

  it.each<[string, string | undefined, string, ReadonlySet<string> | undefined, boolean]>([
    [
      'allowed with MigrationStallDetection',
      undefined,
      '{"maxDowntimeMs":500}',
      new Set(['MigrationStallDetection']),
      true,
    ],
    [
      'allowed with MigrationDowntimeTuning',
      undefined,
      '{"maxDowntimeMs":500}',
      new Set(['MigrationDowntimeTuning']),
      true,
    ],
    ['not checked when the CR is not known', undefined, '{"maxDowntimeMs":500}', undefined, true],
    [
      'checked only when the option changes: another option changed',
      '{"maxDowntimeMs":500}',
      '{"maxDowntimeMs":500,"progressTimeout":60}',
      NO_GATE,
      true,
    ],
    ['removing it needs no gate', '{"maxDowntimeMs":500}', '{"progressTimeout":60}', NO_GATE, true],
    ['changing it needs the gate', '{"maxDowntimeMs":500}', '{"maxDowntimeMs":600}', NO_GATE, false],
    [
      'an old text that does not decode: every gated option counts as changed',
      'not json',
      '{"maxDowntimeMs":500}',
      NO_GATE,
      false,
    ],
    ['options without a gate need none', undefined, '{"progressTimeout":60}', new Set<string>(), true],
  ])('%s', (_name, before, after, featureGates, allowed) => {
    expect(update(before, after, [], featureGates === undefined ? {} : { featureGates }).allowed).toBe(allowed);
  });

  it('on CREATE the default is the previous configuration', () => {
    const object = setting('{"maxDowntimeMs":500}', { default: '{"maxDowntimeMs":500}' });
    expect(admit({ operation: 'CREATE', object, migrations: [], featureGates: NO_GATE })).toEqual({ allowed: true });
  });

  it('a gated option in the default, while value is blank, is named at default', () => {
    const r = admit({
      operation: 'UPDATE',
      oldObject: setting(undefined),
      object: setting(undefined, { default: '{"maxDowntimeMs":500}' }),
      migrations: [],
      featureGates: NO_GATE,
    });
    expect(r.status?.details?.causes.map((c) => c.field)).toEqual(['default.maxDowntimeMs']);
  });

  it('is refused before the migrations are looked at', () => {
    expect(update(undefined, '{"maxDowntimeMs":500}', [running], { featureGates: NO_GATE }).status?.code).toBe(422);
    expect(
      update(undefined, '{"maxDowntimeMs":500}', { unknown: 'stale' }, { featureGates: NO_GATE }).status?.code,
    ).toBe(422);
  });
});

describe('decideAdmission: the request decides, or asks for the live migrations once', () => {
  const unknown = { unknown: 'the cache is not current' };
  const finished = vmim('default', 'vm2', { phase: 'Succeeded' });

  it.each<[string, AdmissionInput, 'Decided' | 'NeedsMigrations']>([
    ['a DELETE', { operation: 'DELETE', oldObject: setting(CHANGE), migrations: [] }, 'Decided'],
    ['another Setting', { operation: 'UPDATE', object: setting(CHANGE, { name: 'other' }), migrations: [] }, 'Decided'],
    [
      'an invalid value',
      { operation: 'UPDATE', oldObject: setting(undefined), object: setting('{"progressTimeout":-1}'), migrations: [] },
      'Decided',
    ],
    [
      'a gated option changed without its gate',
      {
        operation: 'UPDATE',
        oldObject: setting(undefined),
        object: setting('{"maxDowntimeMs":500}'),
        migrations: [],
        featureGates: new Set<string>(),
      },
      'Decided',
    ],
    [
      'no change of the configuration',
      { operation: 'UPDATE', oldObject: setting(CHANGE), object: setting(CHANGE), migrations: [] },
      'Decided',
    ],
    ['CREATE of the default', { operation: 'CREATE', object: setting(undefined), migrations: [] }, 'Decided'],
    [
      'a change',
      { operation: 'UPDATE', oldObject: setting(undefined), object: setting(CHANGE), migrations: [] },
      'NeedsMigrations',
    ],
    [
      'CREATE with a value other than the default',
      { operation: 'CREATE', object: setting(CHANGE), migrations: [] },
      'NeedsMigrations',
    ],
    [
      'an old object that does not decode',
      { operation: 'UPDATE', oldObject: setting('{'), object: setting(CHANGE), migrations: [] },
      'NeedsMigrations',
    ],
  ])('%s: %s', (_, input, kind) => {
    expect(decideAdmission(input).kind).toBe(kind);
  });

  it('a change is completed with the migrations: allowed with none running, 400 with one, 503 when unknown', () => {
    const d = decideAdmission({ operation: 'UPDATE', oldObject: setting(undefined), object: setting(CHANGE) });
    if (d.kind !== 'NeedsMigrations') throw new Error('expected a change');
    expect(d.complete([finished])).toEqual({ allowed: true });
    expect(d.complete([running]).status?.code).toBe(400);
    expect(d.complete(unknown).status?.code).toBe(503);
  });

  const anyInput = fc.record({
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
    object: fc.oneof(
      fc.jsonValue(),
      fc
        .constantFrom(undefined, '{"progressTimeout":0}', CHANGE, '{"parallelMigrationsPerCluster":4}', '{}')
        .map((v) => setting(v)),
    ),
    oldObject: fc.constantFrom(undefined, CHANGE, '{}', '{').map((v) => setting(v)),
  });
  const anyMigrations = fc.constantFrom<AdmissionInput['migrations']>([], [running], [finished], unknown);

  it('a Decided answer does not depend on the migrations; NeedsMigrations is exactly a request that unknown migrations refuse with 503', () => {
    fc.assert(
      fc.property(anyInput, anyMigrations, (request, migrations) => {
        const d = decideAdmission(request);
        if (d.kind === 'Decided') expect(admit({ ...request, migrations })).toEqual(d.response);
        expect(admit({ ...request, migrations: unknown }).status?.code === 503).toBe(d.kind === 'NeedsMigrations');
      }),
      { numRuns: 1000 },
    );
  });
});
