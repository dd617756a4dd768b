import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/** The kubeconfig files kubectl would use: --kubeconfig, else $KUBECONFIG, else ~/.kube/config. */
const kubeconfigSource = (flags: KubeConfigFlags, env: NodeJS.ProcessEnv): string | undefined => {
  if (flags.kubeconfig !== undefined && flags.kubeconfig !== '') return flags.kubeconfig;
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
};

/** Loads a kubeconfig like kubectl does (a colon-separated $KUBECONFIG is merged), with --context. */
export const loadKubeConfig = (flags: KubeConfigFlags, env: NodeJS.ProcessEnv = process.env): KubeConfig => {
  const source = kubeconfigSource(flags, env);
  if (source === undefined) throw new Error('no kubeconfig: give --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
  const kc = new KubeConfig();
  const files = source.split(':').filter((f) => f !== '');
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`kubeconfig ${file}: no such file`);
  }
  try {
    if (files.length === 1 && files[0] !== undefined) kc.loadFromFile(files[0]);
    else {
      const merged = new KubeConfig();
      for (const file of files) {
        const one = new KubeConfig();
        one.loadFromFile(file);
        merged.mergeConfig(one);
      }
      kc.loadFromString(merged.exportConfig());
    }
  } catch (e) {
    throw new Error(`kubeconfig ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (flags.context !== undefined && flags.context !== '') {
    if (kc.getContextObject(flags.context) === null) throw new Error(`kubeconfig ${source}: no context named ${flags.context}`);
    kc.setCurrentContext(flags.context);
  }
  if (kc.getCurrentCluster() === null) throw new Error(`kubeconfig ${source}: no current context or cluster`);
  return kc;
};
