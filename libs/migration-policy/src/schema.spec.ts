import { OPTIONS } from './options.js';
import { QUANTITY_PATTERN } from './quantity.js';
import { settingValueSchema } from './schema.js';

describe('JSON Schema of the setting value', () => {
  const schema = settingValueSchema() as {
    properties: Record<string, Record<string, unknown>>;
    additionalProperties: boolean;
  };

  it('has one property per option and refuses others', () => {
    expect(Object.keys(schema.properties)).toEqual(OPTIONS.map((o) => o.key));
    expect(schema.additionalProperties).toBe(false);
  });

  it('carries the ranges of the options table', () => {
    expect(schema.properties['parallelMigrationsPerCluster']).toMatchObject({
      type: ['integer', 'null'],
      minimum: 1,
      maximum: 2147483647,
    });
    expect(schema.properties['maxDowntimeMs']).toMatchObject({ minimum: 1, maximum: 2000000 });
  });

  it('allows a protected key only as "" or null', () => {
    expect(schema.properties['network']).toMatchObject({ enum: ['', null] });
    expect(schema.properties['nodeDrainTaintKey']).toMatchObject({ enum: ['', null] });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe('JSON Schema of the setting value, in full', () => {
  const schema = settingValueSchema();

  it('names itself and describes an object', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://harvesterhci.io/schemas/kubevirt-migration-setting-value.json',
      title: 'kubevirt-migration setting value',
      type: 'object',
      additionalProperties: false,
    });
    expect(schema['description']).toMatch(
      /^KubeVirt live-migration options for Harvester's kubevirt-migration setting\. Every option is optional/,
    );
  });

  it.each([
    [
      'parallelOutboundMigrationsPerNode',
      {
        description: 'Concurrent outgoing live migrations allowed per node.',
        default: 2,
        type: ['integer', 'null'],
        minimum: 1,
        maximum: 2147483647,
      },
    ],
    [
      'allowAutoConverge',
      {
        description: 'Throttle the guest CPU so that busy VMs can converge.',
        default: false,
        type: ['boolean', 'null'],
      },
    ],
    [
      'bandwidthPerMigration',
      {
        description:
          'Network bandwidth per migration, a Kubernetes quantity of bytes per second (for example "64Mi"); 0 means no limit.',
        default: '0Mi',
        anyOf: [
          { type: 'integer', minimum: 0, maximum: 9007199254740991 },
          { type: 'string', pattern: QUANTITY_PATTERN },
          { type: 'null' },
        ],
      },
    ],
    [
      'network',
      { description: 'Protected: only absent or "". Owned by the vm-migration-network setting.', enum: ['', null] },
    ],
  ])('%s', (key, expected) => {
    expect((schema['properties'] as Record<string, unknown>)[key]).toEqual(expected);
  });

  it("the string pattern is the library's quantity grammar", () => {
    const pattern = new RegExp(QUANTITY_PATTERN);
    expect(['64Mi', '1e3', '0', '1.5Gi'].every((t) => pattern.test(t))).toBe(true);
    expect(['1e3.0', '64 Mi', 'Mi', ''].some((t) => pattern.test(t))).toBe(false);
  });
});
