import { X509Certificate } from 'node:crypto';
import { decideCertificates, nextCheckAt, type CertificateSet } from './certificates.js';

const DAY = 86400_000;
const policy = {
  hosts: ['kubevirt-migration-webhook.kubevirt-migration.svc', '10.0.0.7'],
  servingLifetimeMs: 90 * DAY,
  caLifetimeMs: 900 * DAY,
  caOverlapMs: DAY,
};
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

const replaced = (d: ReturnType<typeof decideCertificates>): CertificateSet & { reason: string } => {
  if (d.action !== 'replace') throw new Error('expected a replacement');
  return { ...d.set, reason: d.reason };
};
const cas = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.length ?? 0;
const issuer = (s: CertificateSet) => new X509Certificate(s.serving.cert).issuer;

describe('decideCertificates: the rotation rule', () => {
  const first = replaced(decideCertificates(undefined, policy, t0));

  it('makes a CA and a serving certificate for every host when there are none', () => {
    expect(first.reason).toBe('no certificates yet');
    const serving = new X509Certificate(first.serving.cert);
    expect(serving.checkHost('kubevirt-migration-webhook.kubevirt-migration.svc')).toBeDefined();
    expect(serving.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(serving.ca).toBe(false);
    expect(new X509Certificate(first.ca.cert).ca).toBe(true);
    expect(serving.verify(new X509Certificate(first.caBundle).publicKey)).toBe(true);
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it.each([
    ['just made', 0],
    ['before two thirds of its life', 59],
  ])('keeps a set %s', (_, days) => {
    expect(decideCertificates(first, policy, at(days)).action).toBe('keep');
  });

  it('renews the serving certificate with a third of its life left, from the same CA', () => {
    const next = replaced(decideCertificates(first, policy, at(61)));
    expect(next.reason).toBe('the serving certificate is due for renewal');
    expect(next.ca).toEqual(first.ca);
    expect(next.caBundle).toBe(first.caBundle);
    expect(next.serving.cert).not.toBe(first.serving.cert);
  });

  it('rotates the CA in two steps: trusted first, signing only after the overlap', () => {
    // keep the serving certificate fresh until the CA is due (600 days)
    let s: CertificateSet = first;
    for (let day = 61; day < 601; day += 60) s = replaced(decideCertificates(s, policy, at(day)));
    // the serving certificate would be due within the overlap: renewed first, from the old CA
    const renewedFirst = replaced(decideCertificates(s, policy, at(601)));
    expect(renewedFirst.reason).toBe('the serving certificate is renewed before the CA rotates, to last through the overlap');
    s = renewedFirst;
    const step1 = replaced(decideCertificates(s, policy, at(601)));
    expect(step1.reason).toBe('the CA is due for renewal');
    expect(cas(step1.caBundle)).toBe(2);
    expect(step1.serving).toEqual(s.serving);
    // within the overlap, the serving certificate stays with the old CA
    expect(decideCertificates(step1, policy, at(601.5)).action).toBe('keep');
    expect(nextCheckAt(step1, policy)).toBe(at(602).getTime());
    const step2 = replaced(decideCertificates(step1, policy, at(602)));
    expect(step2.reason).toBe('the serving certificate moves to the new CA');
    expect(issuer(step2)).toBe(new X509Certificate(step2.ca.cert).subject);
    expect(cas(step2.caBundle)).toBe(2);
    // once the old CA has expired it leaves the bundle
    const later = replaced(decideCertificates(step2, policy, at(901)));
    expect(cas(later.caBundle)).toBe(1);
  });

  it.each<[string, (s: CertificateSet) => CertificateSet, RegExp]>([
    ['a serving key of another pair', (s) => ({ ...s, serving: { ...s.serving, key: s.ca.key } }), /do not match/],
    [
      'a serving certificate from another CA',
      (s) => ({ ...s, caBundle: replaced(decideCertificates(undefined, policy, t0)).caBundle }),
      /not signed by a CA of the bundle/,
    ],
    ['garbage', (s) => ({ ...s, ca: { cert: 'junk', key: 'junk' } }), /unreadable/],
  ])('replaces everything for %s', (_, spoil, reason) => {
    const next = replaced(decideCertificates(spoil(first), policy, at(1)));
    expect(next.reason).toMatch(reason);
    expect(next.ca.cert).not.toBe(first.ca.cert);
  });

  it('reissues a serving certificate for other hosts, or one that has expired, from the same CA', () => {
    const hosts = replaced(decideCertificates(first, { ...policy, hosts: ['elsewhere.example'] }, at(1)));
    expect(hosts.reason).toBe('the serving certificate does not name elsewhere.example');
    expect(hosts.ca).toEqual(first.ca);
    expect(new X509Certificate(hosts.serving.cert).checkHost('elsewhere.example')).toBeDefined();
    const expired = replaced(decideCertificates(first, policy, at(91)));
    expect(expired.reason).toBe('the serving certificate has expired');
    expect(expired.ca).toEqual(first.ca);
    expect(expired.caBundle).toBe(first.caBundle);
  });

  it('renews a serving certificate that would be due within the overlap before rotating the CA (seen with lifetimes of seconds)', () => {
    const seconds = { hosts: ['127.0.0.1'], servingLifetimeMs: 12000, caLifetimeMs: 36000, caOverlapMs: 6000 };
    const start = replaced(decideCertificates(undefined, seconds, t0));
    const s = replaced(decideCertificates(start, seconds, new Date(t0.getTime() + 8000)));
    expect(s.reason).toBe('the serving certificate is due for renewal');
    // at 24 s the CA is due and the serving certificate (renewed at 8 s, due at 16 s) too: it is renewed first, from the old CA
    const s2 = replaced(decideCertificates(s, seconds, new Date(t0.getTime() + 16000)));
    expect(s2.reason).toBe('the serving certificate is due for renewal');
    const before = replaced(decideCertificates(s2, seconds, new Date(t0.getTime() + 24000)));
    expect(before.reason).toBe('the serving certificate is renewed before the CA rotates, to last through the overlap');
    expect(before.ca).toEqual(start.ca);
    const rotated = replaced(decideCertificates(before, seconds, new Date(t0.getTime() + 24001)));
    expect(rotated.reason).toBe('the CA is due for renewal');
    // the serving certificate outlives the overlap: it moves to the new CA when the overlap ends, not by expiring
    const servingEnd = new Date(new X509Certificate(rotated.serving.cert).validTo).getTime();
    expect(servingEnd).toBeGreaterThan(t0.getTime() + 24001 + 6000);
    // (certificate times have whole seconds)
    expect(nextCheckAt(rotated, seconds)).toBe(t0.getTime() + 24000 + 6000);
  });

  it('never issues a serving certificate beyond its CA', () => {
    const shortCa = replaced(decideCertificates(undefined, { ...policy, caLifetimeMs: 30 * DAY }, t0));
    expect(new Date(new X509Certificate(shortCa.serving.cert).validTo).getTime()).toBeLessThanOrEqual(
      new Date(new X509Certificate(shortCa.ca.cert).validTo).getTime(),
    );
  });
});
