import { decodeCrdOptions, OPTIONS, type OptionSpec } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { Inputs } from '../inputs.js';
import { InputError } from '../io/errors.js';
import type { Stylist } from '../render/style.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

const typeOf = (o: OptionSpec): string => {
  switch (o.kind.type) {
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'quantity':
      return 'Kubernetes quantity (a string such as "64Mi", or a JSON number of bytes)';
    case 'protected':
      return 'string (protected)';
  }
};

const acceptedOf = (o: OptionSpec): string => {
  switch (o.kind.type) {
    case 'integer':
      return o.zeroTurnsOff !== undefined && o.kind.min === 0
        ? `0 (turns ${o.zeroTurnsOff} off) to ${o.kind.max}`
        : `${o.kind.min} to ${o.kind.max}`;
    case 'boolean':
      return 'true or false';
    case 'quantity':
      return `a whole number of bytes per second, 0 (no limit) to ${o.kind.max}`;
    case 'protected':
      return `only "" or leaving it out: it is owned by ${o.kind.owner}`;
  }
};

/** Whether the installed CRD lists the option, and its description there (nothing without a CRD). */
const crdFacts = async (
  key: string,
  inputs: Inputs,
): Promise<{ readonly listed?: boolean; readonly crdDescription?: string }> => {
  const crd = await inputs.kubevirtCrd();
  if (crd === undefined) return {};
  const options = decodeCrdOptions(crd.crd);
  if (E.isLeft(options)) throw new InputError(`${crd.where}: ${options.left}`);
  const crdDescription = options.right.get(key);
  return { listed: options.right.has(key), ...(crdDescription === undefined ? {} : { crdDescription }) };
};

/** What one option means and accepts: the options table, and the installed CRD's own description when one is given. */
export const explain = async (
  key: string,
  output: OutputFormat,
  inputs: Inputs,
  paint: Stylist,
): Promise<CommandResult> => {
  const option: OptionSpec | undefined = OPTIONS.find((o) => o.key === key);
  if (option === undefined)
    throw new InputError(
      `no option named ${JSON.stringify(key)}; the options are ${OPTIONS.map((o) => o.key).join(', ')}`,
    );
  const { listed, crdDescription } = await crdFacts(key, inputs);
  const facts = {
    key,
    type: typeOf(option),
    accepted: acceptedOf(option),
    ...(option.unit === undefined ? {} : { unit: option.unit }),
    kubevirtDefault: option.kubevirtDefault,
    ...(option.uiMinimum === undefined ? {} : { harvesterUiMinimum: option.uiMinimum }),
    ...(option.since === undefined ? {} : { since: `KubeVirt ${option.since}` }),
    ...(option.featureGates === undefined ? {} : { featureGates: option.featureGates }),
    description: option.description,
    ...(listed === undefined ? {} : { installedCrdLists: listed }),
    ...(crdDescription === undefined ? {} : { crdDescription }),
  };
  if (output !== 'text') return { stdout: machine(output, facts), exitCode: 0 };
  return { stdout: renderExplain(option, facts, paint), exitCode: 0 };
};

/** The facts of `explain` as aligned rows under the option's name. */
const renderExplain = (
  option: OptionSpec,
  facts: {
    readonly type: string;
    readonly accepted: string;
    readonly since?: string;
    readonly installedCrdLists?: boolean;
    readonly crdDescription?: string;
  },
  paint: Stylist,
): string => {
  const listed = facts.installedCrdLists;
  const rows: [string, string | undefined][] = [
    ['type', facts.type],
    ['accepted', facts.accepted],
    ['unit', option.unit],
    ['KubeVirt default', JSON.stringify(option.kubevirtDefault)],
    ['Harvester UI minimum', option.uiMinimum === undefined ? undefined : String(option.uiMinimum)],
    ['since', facts.since],
    [
      'feature gates',
      option.featureGates === undefined
        ? undefined
        : `${option.featureGates.join(' or ')}: one must be enabled on the KubeVirt CR to set or change it`,
    ],
    ['description', option.description],
    [
      'installed CRD',
      listed === undefined
        ? undefined
        : listed
          ? 'lists it'
          : 'does not list it: the API server would drop it, so it is refused',
    ],
    ['CRD description', facts.crdDescription?.replace(/\s+/g, ' ')],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return [paint('bold', option.key), ...shown.map(([k, v]) => `  ${`${k}:`.padEnd(width)} ${v}`)].join('\n');
};
