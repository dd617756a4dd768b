import { errorMessage } from '@kubevirt-migration/service';
import { Command, CommanderError, Option } from 'commander';

import { type ClusterFlags, connectCluster } from './cluster.js';
import { adopt } from './commands/adopt.js';
import { diff } from './commands/diff.js';
import { effective } from './commands/effective.js';
import { explain } from './commands/explain.js';
import { type CommandResult, OUTPUT_FORMATS, type OutputFormat } from './commands/result.js';
import { schema } from './commands/schema.js';
import { validate } from './commands/validate.js';
import { validatePolicies } from './commands/validate-policies.js';
import { type ClusterReader, type FileFlags, inputsFrom } from './inputs.js';
import { InputError } from './io/errors.js';
import { colorFor, stylist } from './render/style.js';
import { type VmiClusterReader, type VmiFileFlags, vmiInputsFrom } from './vmi-inputs.js';

const paint = stylist(colorFor(process.stdout, process.env));

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text');
const clusterOptions = (cmd: Command): Command =>
  cmd
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use for inputs not given as files (default: $KUBECONFIG, then ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use');

const emit = (r: CommandResult): void => {
  if (r.stdout !== '') process.stdout.write(`${r.stdout}\n`);
  if (r.stderr !== undefined && r.stderr !== '') process.stderr.write(`${r.stderr}\n`);
  process.exitCode = r.exitCode;
};

/** Reads the cluster only if some input was not given as a file; connects at most once. */
const lazyCluster = (
  flags: ClusterFlags,
  flagsOnly: boolean,
): (() => (ClusterReader & VmiClusterReader) | undefined) => {
  let reader: (ClusterReader & VmiClusterReader) | undefined | null = null;
  return () => {
    if (reader === null) reader = connectCluster(flags, flagsOnly);
    return reader;
  };
};

interface ValidateFlags {
  readonly new?: string;
  readonly old?: string;
  readonly policy?: string;
  readonly policyCrd?: string;
  readonly migrations?: string;
  readonly kubevirtCrd?: string;
  readonly kubevirt?: string;
  readonly operation?: string;
  readonly output: OutputFormat;
}

/** `validate`: a Setting (or MigrationPolicies) judged as the webhook would. */
const validateCommand = (cli: Command): void => {
  clusterOptions(
    cli
      .command('validate')
      .description('the admission decision the webhook would give (exit 0 allowed, 1 denied, 2 bad input)')
      .option('--new <file>', 'the Setting as it would be saved')
      .option(
        '--policy <file>',
        'instead of a Setting: MigrationPolicies (a List or a YAML stream), checked by the rules of docs/semantics.md §7',
      )
      .option('--policy-crd <file>', 'with --policy: the installed MigrationPolicy CRD (fields it lacks are refused)')
      .option('--old <file>', 'the Setting as it is now (implies UPDATE)')
      .option(
        '--migrations <file>',
        'VirtualMachineInstanceMigrations (a List or a YAML stream); from the cluster when a kubeconfig is given',
      )
      .option(
        '--kubevirt-crd <file>',
        'the installed KubeVirt CRD (options it lacks are refused); from the cluster when a kubeconfig is given',
      )
      .option(
        '--kubevirt <file>',
        'the KubeVirt CR, read for its feature gates only (an option whose gate it lacks is refused); from the cluster when a kubeconfig is given',
      )
      .addOption(new Option('--operation <op>', 'admission operation (default: UPDATE with --old, else CREATE)'))
      .addOption(outputOption()),
  ).action(async (o: ValidateFlags & ClusterFlags) => {
    if (o.policy !== undefined) {
      if (o.new !== undefined)
        throw new InputError('give either --new (a Setting) or --policy (MigrationPolicies), not both');
      emit(
        await validatePolicies(
          o.policy,
          o.output,
          vmiInputsFrom({ vmi: '', policies: o.policy, policyCrd: o.policyCrd }, lazyCluster(o, true)),
          paint,
        ),
      );
      return;
    }
    if (o.new === undefined)
      throw new InputError('validate needs --new FILE (a Setting) or --policy FILE (MigrationPolicies)');
    const inputs = inputsFrom(
      { migrations: o.migrations, kubevirtCrd: o.kubevirtCrd, kubevirt: o.kubevirt },
      lazyCluster(o, true),
    );
    emit(await validate({ newFile: o.new, oldFile: o.old, operation: o.operation, output: o.output }, inputs, paint));
  });
};

/** `diff`: the patch the controller would send. */
const diffCommand = (cli: Command): void => {
  clusterOptions(
    cli
      .command('diff')
      .description(
        'the patch the controller would send to the KubeVirt CR (exit 0 no change, 1 changes, 2 invalid or error)',
      )
      .option('--setting <file>', 'the Setting (default: read from the cluster)')
      .option('--kubevirt <file>', 'the KubeVirt CR (default: read from the cluster)')
      .option('--kubevirt-crd <file>', 'the installed KubeVirt CRD (default: read from the cluster)')
      .addOption(outputOption()),
  ).action(async (o: FileFlags & ClusterFlags & { output: OutputFormat }) => {
    emit(await diff(o.output, inputsFrom(o, lazyCluster(o, false)), paint));
  });
};

/** `adopt`: the value that keeps the KubeVirt CR's options, written with --apply. */
const adoptCommand = (cli: Command): void => {
  clusterOptions(
    cli
      .command('adopt')
      .description(
        "the setting value that keeps the KubeVirt CR's current options; --apply writes it to a blank setting",
      )
      .option('--kubevirt <file>', 'the KubeVirt CR (default: read from the cluster)')
      .option('--kubevirt-crd <file>', 'the installed KubeVirt CRD (default: read from the cluster)')
      .option('--apply', 'write the value to the Setting in the cluster')
      .addOption(outputOption()),
  ).action(async (o: FileFlags & ClusterFlags & { output: OutputFormat; apply?: boolean }) => {
    const cluster = lazyCluster(o, false);
    const inputs = inputsFrom(o, cluster);
    let apply;
    if (o.apply === true) {
      const c = cluster();
      if (c === undefined)
        throw new InputError('--apply needs a cluster (--kubeconfig, $KUBECONFIG or ~/.kube/config)');
      apply = { patchSetting: c.patchSetting };
    }
    emit(await adopt({ output: o.output, apply }, inputs, paint));
  });
};

/** `explain`: one option, as the table and the installed CRD describe it. */
const explainCommand = (cli: Command): void => {
  clusterOptions(
    cli
      .command('explain')
      .argument('<option>', 'an option of the setting, such as bandwidthPerMigration')
      .description(
        "what one option means and accepts: type, range, KubeVirt's default, the Harvester UI's minimum, and the installed CRD's description",
      )
      .option('--kubevirt-crd <file>', 'the installed KubeVirt CRD (default: read from the cluster when one is named)')
      .addOption(outputOption()),
  ).action(async (key: string, o: FileFlags & ClusterFlags & { output: OutputFormat }) => {
    emit(await explain(key, o.output, inputsFrom(o, lazyCluster(o, true)), paint));
  });
};

/** `effective`: the configuration one VMI would migrate with. */
const effectiveCommand = (cli: Command): void => {
  clusterOptions(
    cli
      .command('effective')
      .description(
        'the migration configuration KubeVirt would use for one VMI: the cluster setting and the MigrationPolicy that wins (exit 0, 2 bad input)',
      )
      .requiredOption(
        '--vmi <file|namespace/name>',
        'the VirtualMachineInstance: a file, or NAMESPACE/NAME of one in the cluster',
      )
      .option('--namespace <file>', "the VMI's Namespace (default: read from the cluster)")
      .option('--policies <file>', 'the MigrationPolicies, a List or a YAML stream (default: all of the cluster)')
      .option('--kubevirt <file>', 'the KubeVirt CR (default: read from the cluster)')
      .option(
        '--setting <file>',
        'answer for the KubeVirt CR as the controller would leave it after applying this Setting',
      )
      .option('--kubevirt-crd <file>', 'the installed KubeVirt CRD (default: read from the cluster)')
      .option('--policy-crd <file>', 'the installed MigrationPolicy CRD (default: read from the cluster)')
      .addOption(outputOption()),
  ).action(async (o: VmiFileFlags & FileFlags & ClusterFlags & { output: OutputFormat }) => {
    const cluster = lazyCluster(o, false);
    emit(
      await effective(
        { output: o.output, afterSetting: o.setting !== undefined },
        inputsFrom(o, cluster),
        vmiInputsFrom(o, cluster),
        paint,
      ),
    );
  });
};

/** `schema`: the JSON Schema of the value. */
const schemaCommand = (cli: Command): void => {
  cli
    .command('schema')
    .description('JSON Schema of the setting value')
    .addOption(outputOption())
    .action((o: { output: OutputFormat }) => emit(schema(o.output)));
};

export const program = (): Command => {
  const cli = new Command('kubevirt-migration')
    .description("Validate, diff and adopt Harvester's kubevirt-migration setting, from files or a cluster.")
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  validateCommand(cli);
  diffCommand(cli);
  adoptCommand(cli);
  explainCommand(cli);
  effectiveCommand(cli);
  schemaCommand(cli);
  return cli;
};

const main = async (argv: readonly string[]): Promise<void> => {
  try {
    await program().parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = e instanceof InputError ? e.message : `unexpected error: ${errorMessage(e)}`;
    process.stderr.write(`kubevirt-migration: ${message}\n`);
    if (process.env['KUBEVIRT_MIGRATION_DEBUG'] !== undefined && e instanceof Error)
      process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = 2;
  }
};

void main(process.argv);
