/**
 * The per-VMI panel of the settings page (docs/semantics.md §7): for a pasted VMI, its Namespace and
 * MigrationPolicies, the configuration the VMI would migrate with once the form's value is applied
 * to the pasted KubeVirt CR. The same library call as `kubevirt-migration effective`.
 */
import {
  decodeMigrationPolicy,
  type EffectiveConfiguration,
  effectiveConfiguration,
  formatViolation,
  kubevirtAfterSetting,
  type Labels,
  labelsOf,
  type MigrationPolicy,
  SETTING_NAME,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';
import { parseAllDocuments } from 'yaml';

export type EffectivePreview =
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly message: string }
  | {
      readonly kind: 'result';
      readonly result: EffectiveConfiguration;
      readonly vmiLabels: Labels | undefined;
      readonly namespaceLabels: Labels | undefined;
    };

/** What the panel's text areas hold. */
export interface EffectiveTexts {
  readonly vmi: string;
  readonly namespace: string;
  readonly policies: string;
  readonly kubevirt: string;
  readonly value: string;
}

const kindOf = (o: unknown): unknown =>
  typeof o === 'object' && o !== null ? (o as Record<string, unknown>)['kind'] : undefined;

/** The documents of a text (a YAML stream; a `…List` is its items). */
const documents = (text: string, what: string): E.Either<string, readonly unknown[]> => {
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const error = list.flatMap((d) => d.errors)[0];
    if (error !== undefined) return E.left(`${what} is not YAML or JSON: ${error.message.split('\n')[0] ?? ''}`);
    const values = list
      .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
      .filter((v) => v !== null && v !== undefined);
    return E.right(
      values.flatMap((v) =>
        String(kindOf(v)).endsWith('List') && Array.isArray((v as { items?: unknown }).items)
          ? (v as { items: unknown[] }).items
          : [v],
      ),
    );
  } catch (e) {
    return E.left(`${what} is not usable YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
};

const one = (text: string, kind: string, what: string): E.Either<string, unknown> => {
  const docs = documents(text, what);
  if (E.isLeft(docs)) return docs;
  const [first, ...rest] = docs.right;
  return rest.length === 0 && kindOf(first) === kind ? E.right(first) : E.left(`paste one ${kind} as ${what}`);
};

const policiesOf = (text: string): E.Either<string, readonly MigrationPolicy[]> => {
  const docs = documents(text, 'the MigrationPolicies');
  if (E.isLeft(docs)) return docs;
  const policies: MigrationPolicy[] = [];
  for (const [i, doc] of docs.right.entries()) {
    if (kindOf(doc) !== 'MigrationPolicy')
      return E.left(`document ${i + 1} of the MigrationPolicies is not a MigrationPolicy`);
    const decoded = decodeMigrationPolicy(doc);
    if (E.isLeft(decoded)) return E.left(`MigrationPolicy ${i + 1}: ${decoded.left.map(formatViolation).join('; ')}`);
    policies.push(decoded.right);
  }
  return E.right(policies);
};

/** The panel's answer: nothing until a VMI is pasted; one sentence for what cannot be read. */
export const effectivePreview = (texts: EffectiveTexts, supported: SupportedOptions, now: string): EffectivePreview => {
  if (texts.vmi.trim() === '') return { kind: 'none' };
  const vmi = one(texts.vmi, 'VirtualMachineInstance', 'the VMI');
  if (E.isLeft(vmi)) return { kind: 'unreadable', message: vmi.left };
  const namespace =
    texts.namespace.trim() === '' ? E.right(undefined) : one(texts.namespace, 'Namespace', 'the Namespace');
  if (E.isLeft(namespace)) return { kind: 'unreadable', message: namespace.left };
  const policies = texts.policies.trim() === '' ? E.right([]) : policiesOf(texts.policies);
  if (E.isLeft(policies)) return { kind: 'unreadable', message: policies.left };
  const pasted =
    texts.kubevirt.trim() === ''
      ? E.right({ kind: 'KubeVirt', spec: {} })
      : one(texts.kubevirt, 'KubeVirt', 'the KubeVirt CR');
  if (E.isLeft(pasted)) return { kind: 'unreadable', message: pasted.left };
  const setting = {
    apiVersion: 'harvesterhci.io/v1beta1',
    kind: 'Setting',
    metadata: { name: SETTING_NAME },
    value: texts.value,
  };
  const kubevirt = kubevirtAfterSetting({ setting, kubevirt: pasted.right, supportedOptions: supported, now });
  if (E.isLeft(kubevirt)) return { kind: 'unreadable', message: kubevirt.left };
  const result = effectiveConfiguration({
    vmi: vmi.right,
    namespace: namespace.right,
    policies: policies.right,
    kubevirt: kubevirt.right,
    supportedOptions: supported,
  });
  return { kind: 'result', result, vmiLabels: labelsOf(vmi.right), namespaceLabels: labelsOf(namespace.right) };
};
