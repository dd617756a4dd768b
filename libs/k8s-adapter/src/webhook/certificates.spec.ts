import { X509Certificate } from 'node:crypto';

import {
  type CertificateFacts,
  type CertificateIntent,
  type CertificateSet,
  decideCertificates,
  decideRotation,
} from './certificates.js';

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
/** When a set that is kept is looked at again. */
const nextCheckAt = (s: CertificateSet, p: typeof policy, now: Date): number => {
  const d = decideCertificates(s, p, now);
  if (d.action !== 'keep') throw new Error('expected the set to be kept');
  return d.recheckAt;
};
const cas = (bundle: string) =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.length ?? 0;
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
    expect(renewedFirst.reason).toBe(
      'the serving certificate is renewed before the CA rotates, to last through the overlap',
    );
    s = renewedFirst;
    const step1 = replaced(decideCertificates(s, policy, at(601)));
    expect(step1.reason).toBe('the CA is due for renewal');
    expect(cas(step1.caBundle)).toBe(2);
    expect(step1.serving).toEqual(s.serving);
    // within the overlap, the serving certificate stays with the old CA
    expect(decideCertificates(step1, policy, at(601.5)).action).toBe('keep');
    expect(nextCheckAt(step1, policy, at(601.5))).toBe(at(602).getTime());
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
    expect(nextCheckAt(rotated, seconds, new Date(t0.getTime() + 24002))).toBe(t0.getTime() + 24000 + 6000);
  });

  it('never issues a serving certificate beyond its CA', () => {
    const shortCa = replaced(decideCertificates(undefined, { ...policy, caLifetimeMs: 30 * DAY }, t0));
    expect(new Date(new X509Certificate(shortCa.serving.cert).validTo).getTime()).toBeLessThanOrEqual(
      new Date(new X509Certificate(shortCa.ca.cert).validTo).getTime(),
    );
  });
});

describe('decideRotation: the rule over certificate facts, without keys', () => {
  const d = (days: number): number => t0.getTime() + days * DAY;
  /** A usable set issued at day 0: CA for 900 days (due at 600), serving for 90 (due at 60), one CA in the bundle. */
  const facts = (
    over: {
      ca?: Partial<{ issuedAt: number; notAfter: number }>;
      serving?: Partial<{ issuedAt: number; notAfter: number; coversHosts: boolean; signedByCa: boolean }>;
      bundle?: number[];
    } = {},
  ): CertificateFacts => ({
    usable: true,
    ca: { issuedAt: d(0), notAfter: d(900), ...over.ca },
    serving: { issuedAt: d(0), notAfter: d(90), coversHosts: true, signedByCa: true, ...over.serving },
    bundle: over.bundle ?? [d(900)],
  });
  const intentOf = (i: CertificateIntent): Record<string, unknown> =>
    'reason' in i ? { action: i.action, reason: i.reason, ...('trusted' in i ? { trusted: i.trusted } : {}) } : i;

  it.each<[string, CertificateFacts | undefined, number, Record<string, unknown>]>([
    ['no certificates', undefined, d(0), { action: 'newCa', reason: 'no certificates yet' }],
    [
      'an unusable set',
      { usable: false, reason: 'the CA and its key do not match' },
      d(0),
      { action: 'newCa', reason: 'the CA and its key do not match' },
    ],
    ['an expired CA', facts(), d(900), { action: 'newCa', reason: 'the CA has expired' }],
    ['a fresh set', facts(), d(1), { action: 'keep', recheckAt: d(60) }],
    ['a set just before the serving renewal', facts(), d(59), { action: 'keep', recheckAt: d(60) }],
    [
      'a serving certificate due',
      facts(),
      d(60),
      { action: 'renewServing', reason: 'the serving certificate is due for renewal', trusted: [0] },
    ],
    [
      'an expired serving certificate',
      facts(),
      d(90),
      { action: 'reissueServing', reason: 'the serving certificate has expired', trusted: [0] },
    ],
    [
      'a serving certificate for other hosts',
      facts({ serving: { coversHosts: false } }),
      d(1),
      {
        action: 'reissueServing',
        reason: `the serving certificate does not name ${policy.hosts.join(', ')}`,
        trusted: [0],
      },
    ],
    [
      'a CA due with a serving certificate that lasts through the overlap',
      facts({ serving: { issuedAt: d(599), notAfter: d(689) } }),
      d(600),
      { action: 'addCa', reason: 'the CA is due for renewal', trusted: [0] },
    ],
    [
      'a CA due with a serving certificate due within the overlap',
      facts({ serving: { issuedAt: d(540), notAfter: d(630) } }),
      d(600),
      {
        action: 'renewServing',
        reason: 'the serving certificate is renewed before the CA rotates, to last through the overlap',
        trusted: [0],
      },
    ],
    [
      'a serving certificate of the old CA within the overlap',
      facts({
        ca: { issuedAt: d(600), notAfter: d(1500) },
        serving: { issuedAt: d(599), notAfter: d(689), signedByCa: false },
        bundle: [d(1500), d(900)],
      }),
      d(600.5),
      { action: 'keep', recheckAt: d(601) },
    ],
    [
      'a serving certificate of the old CA after the overlap',
      facts({
        ca: { issuedAt: d(600), notAfter: d(1500) },
        serving: { issuedAt: d(599), notAfter: d(689), signedByCa: false },
        bundle: [d(1500), d(900)],
      }),
      d(601),
      { action: 'reissueServing', reason: 'the serving certificate moves to the new CA', trusted: [0, 1] },
    ],
    [
      'an old CA that has expired leaves the bundle',
      facts({
        ca: { issuedAt: d(600), notAfter: d(1500) },
        serving: { issuedAt: d(880), notAfter: d(970) },
        bundle: [d(1500), d(900)],
      }),
      d(940),
      { action: 'renewServing', reason: 'the serving certificate is due for renewal', trusted: [0] },
    ],
  ])('%s', (_, given, now, intent) => {
    expect(intentOf(decideRotation(given, policy, now))).toEqual(intent);
  });
});
