import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { decodeSupportedOptions } from '../src/crd.js';
import { OPTION_KEYS } from '../src/options.js';
import { SUPPORTED_170 } from '../src/testing/fixtures.js';

/** The KubeVirt 1.7.0 CRD that Harvester ships (control-plane/crds, kept verbatim), parsed as it is. */
const kubevirtCrd = (): unknown =>
  parse(readFileSync(join(__dirname, '..', '..', '..', 'control-plane', 'crds', 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml'), 'utf8'));

describe('options supported by an installed KubeVirt CRD', () => {
  it('the 1.7.0 CRD lists every option but utilityVolumesTimeout and maxDowntimeMs', () => {
    const supported = decodeSupportedOptions(kubevirtCrd());
    expect(E.isRight(supported) && OPTION_KEYS.filter((k) => !supported.right.has(k))).toEqual(['utilityVolumesTimeout', 'maxDowntimeMs']);
    expect(E.isRight(supported) && [...supported.right].sort()).toEqual([...SUPPORTED_170].sort());
  });

  it.each<[string, unknown, string]>([
    ['not a CRD', { kind: 'KubeVirt' }, 'is not the CustomResourceDefinition kubevirts.kubevirt.io'],
    ['a CRD with no versions', { kind: 'CustomResourceDefinition', metadata: { name: 'kubevirts.kubevirt.io' }, spec: {} }, 'has no storage version'],
    [
      'a CRD without the migrations schema',
      { kind: 'CustomResourceDefinition', metadata: { name: 'kubevirts.kubevirt.io' }, spec: { versions: [{ name: 'v1', storage: true }] } },
      'has no schema for spec.configuration.migrations',
    ],
  ])('%s is refused with a reason', (_name, crd, reason) => {
    expect(decodeSupportedOptions(crd)).toEqual(E.left(reason));
  });
});
