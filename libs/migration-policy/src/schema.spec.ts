import { settingValueSchema } from './schema.js';
import { OPTIONS } from './options.js';

describe('JSON Schema of the setting value', () => {
  const schema = settingValueSchema() as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };

  it('has one property per option and refuses others', () => {
    expect(Object.keys(schema.properties)).toEqual(OPTIONS.map((o) => o.key));
    expect(schema.additionalProperties).toBe(false);
  });

  it('carries the ranges of the options table', () => {
    expect(schema.properties['parallelMigrationsPerCluster']).toMatchObject({ type: ['integer', 'null'], minimum: 1, maximum: 2147483647 });
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
