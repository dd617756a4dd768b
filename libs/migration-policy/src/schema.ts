import { OPTIONS, type OptionSpec } from './options.js';
import { QUANTITY_PATTERN } from './quantity.js';

const propertySchema = (o: OptionSpec): Readonly<Record<string, unknown>> => {
  const common = { description: o.description, default: o.kubevirtDefault };
  switch (o.kind.type) {
    case 'integer':
      return { ...common, type: ['integer', 'null'], minimum: o.kind.min, maximum: o.kind.max };
    case 'boolean':
      return { ...common, type: ['boolean', 'null'] };
    case 'quantity':
      return {
        ...common,
        anyOf: [
          { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          { type: 'string', pattern: QUANTITY_PATTERN },
          { type: 'null' },
        ],
      };
    case 'protected':
      return { description: o.description, enum: ['', null] };
  }
};

/**
 * JSON Schema (2020-12) of the setting's value, for editors and settings forms. A schema cannot say
 * everything the codecs check (a quantity must be a whole number of bytes), so valid-by-schema is
 * necessary, not sufficient: the policy's decode remains the judge.
 */
export const settingValueSchema = (): Readonly<Record<string, unknown>> => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://harvesterhci.io/schemas/kubevirt-migration-setting-value.json',
  title: 'kubevirt-migration setting value',
  description:
    "KubeVirt live-migration options for Harvester's kubevirt-migration setting. Every option is optional; {} means every option at KubeVirt's default.",
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(OPTIONS.map((o) => [o.key, propertySchema(o)])),
});
