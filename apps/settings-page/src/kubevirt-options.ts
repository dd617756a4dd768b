import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { decodeCrdOptions } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';

import type { KubevirtOptions } from './page/form.js';

/**
 * The migration options a KubeVirt CRD file lists, with their descriptions, for the page's help
 * texts and option list. Throws an Error naming the file and what is wrong with it.
 */
export const readKubevirtOptions = (file: string): KubevirtOptions => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the KubeVirt CRD ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let crd: unknown;
  try {
    crd = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`${file}: ${why}`);
  }
  const options = decodeCrdOptions(crd);
  if (E.isLeft(options)) throw new Error(`${file} ${options.left}`);
  const version = /v\d+\.\d+\.\d+/.exec(basename(file))?.[0];
  return {
    source: version === undefined ? `KubeVirt CRD ${basename(file)}` : `KubeVirt ${version} CRD`,
    options: Object.fromEntries([...options.right].map(([key, description]) => [key, description ?? null])),
  };
};
