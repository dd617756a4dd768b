import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

import { errorMessage } from '@kubevirt-migration/service';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/asn1-x509';

/**
 * The webhook's own certificates, when no one else provides them: a CA and a serving certificate
 * signed by it (ECDSA P-256, SHA-256). The X.509 structures come from @peculiar/asn1-x509; keys and
 * signatures from node:crypto. The rotation rule (`decideRotation`) is pure and synchronous over the
 * facts read from a set (`readCertificates`, each PEM parsed once) and returns an intent; `issueFor`
 * carries an intent out (keys and serials are random).
 */

/** A key pair in PEM: the certificate and its PKCS #8 private key. */
interface Issued {
  readonly cert: string;
  readonly key: string;
}

/** A CA able to sign: its pair, and what signing reads of its certificate (so it is not parsed again). */
interface SigningCa extends Issued {
  readonly subject: string;
  readonly notAfter: number;
}

/** What a set of certificates is judged against: the names to serve and the lifetimes to keep. */
export interface CertificatePolicy {
  /** DNS names and IP addresses the serving certificate must carry. */
  readonly hosts: readonly string[];
  readonly servingLifetimeMs: number;
  readonly caLifetimeMs: number;
  /**
   * How long a new CA is only trusted before anything it signs is served: the time for the new
   * bundle to reach the registration (the webhook itself updates it within a second).
   */
  readonly caOverlapMs: number;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
/** Validity starts a little in the past: clocks of the API server and the webhook differ. */
const BACKDATE_MS = 5 * 60 * 1000;

const nameOf = (cn: string): x509.Name =>
  new x509.Name([
    new x509.RelativeDistinguishedName([
      new x509.AttributeTypeAndValue({ type: COMMON_NAME, value: new x509.AttributeValue({ utf8String: cn }) }),
    ]),
  ]);

const extension = (extnID: string, critical: boolean, value: object): x509.Extension =>
  new x509.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

const toPem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A positive serial of 16 random bytes (RFC 5280: at most 20 octets, positive). */
const serial = (): ArrayBuffer => {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return new Uint8Array(bytes).buffer;
};

interface Request {
  readonly subject: string;
  readonly notAfter: Date;
  readonly now: Date;
  readonly ca: boolean;
  readonly hosts?: readonly string[];
  /** The issuer; none for a self-signed CA. */
  readonly issuer?: SigningCa;
}

/** A CA's extensions (signs certificates and CRLs), or a serving certificate's (TLS server, its hosts). */
const extensionsFor = (r: Request): x509.Extension[] =>
  r.ca
    ? [
        extension(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
        extension(
          x509.id_ce_keyUsage,
          true,
          new x509.KeyUsage(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign),
        ),
      ]
    : [
        extension(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: false })),
        extension(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature)),
        extension(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth])),
        extension(
          x509.id_ce_subjectAltName,
          false,
          new x509.SubjectAlternativeName(
            (r.hosts ?? []).map((h) =>
              isIP(h) === 0 ? new x509.GeneralName({ dNSName: h }) : new x509.GeneralName({ iPAddress: h }),
            ),
          ),
        ),
      ];

const issue = (r: Request): Issued => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = r.issuer === undefined ? pair.privateKey : createPrivateKey(r.issuer.key);
  const issuerName = r.issuer === undefined ? r.subject : r.issuer.subject;
  const extensions = extensionsFor(r);
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: serial(),
    signature: new x509.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: nameOf(issuerName),
    subject: nameOf(r.subject),
    validity: new x509.Validity({ notBefore: new Date(r.now.getTime() - BACKDATE_MS), notAfter: r.notAfter }),
    subjectPublicKeyInfo: AsnConvert.parse(
      pair.publicKey.export({ type: 'spki', format: 'der' }),
      x509.SubjectPublicKeyInfo,
    ),
    extensions: new x509.Extensions(extensions),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), signingKey);
  const certificate = new x509.Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new x509.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signatureValue: new Uint8Array(signature).buffer,
  });
  return {
    cert: toPem('CERTIFICATE', Buffer.from(AsnConvert.serialize(certificate))),
    key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

/** A self-signed CA for the webhook's serving certificates. */
const issueCa = (now: Date, lifetimeMs: number): SigningCa => {
  const subject = `kubevirt-migration-webhook-ca@${Math.floor(now.getTime() / 1000)}`;
  const notAfter = new Date(now.getTime() + lifetimeMs);
  // certificate times have whole seconds
  return {
    ...issue({ subject, ca: true, now, notAfter }),
    subject,
    notAfter: Math.floor(notAfter.getTime() / 1000) * 1000,
  };
};

/** A serving certificate for `hosts`, signed by `ca`, never valid beyond the CA. */
const issueServing = (ca: SigningCa, hosts: readonly string[], now: Date, lifetimeMs: number): Issued =>
  issue({
    subject: hosts[0] ?? 'kubevirt-migration-webhook',
    ca: false,
    hosts,
    now,
    issuer: ca,
    notAfter: new Date(Math.min(now.getTime() + lifetimeMs, ca.notAfter)),
  });

/** The certificates the webhook keeps (in a Secret): the CA that signs, the CAs trusted, the serving pair. */
export interface CertificateSet {
  readonly ca: Issued;
  /** PEM of every CA a client must trust: the signing CA and, after a CA rotation, the one before while it is valid. */
  readonly caBundle: string;
  readonly serving: Issued;
}

/** When a certificate was issued (its start is backdated) and when it ends, in ms since the epoch. */
interface Validity {
  readonly issuedAt: number;
  readonly notAfter: number;
}

/** What the rotation rule reads of a set: a reason it cannot be used at all, or the times and checks it needs. */
export type CertificateFacts =
  | { readonly usable: false; readonly reason: string }
  | {
      readonly usable: true;
      readonly ca: Validity;
      readonly serving: Validity & {
        /** It names every host of the policy. */
        readonly coversHosts: boolean;
        /** It was signed by the signing CA (not by an older CA still in the bundle). */
        readonly signedByCa: boolean;
      };
      /** When each CA of the bundle ends, in the bundle's order. */
      readonly bundle: readonly number[];
    };

const pemBlocks = (bundle: string): string[] =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

const validityOf = (c: X509Certificate): Validity => ({
  issuedAt: new Date(c.validFrom).getTime() + BACKDATE_MS,
  notAfter: new Date(c.validTo).getTime(),
});

const covers = (c: X509Certificate, hosts: readonly string[]): boolean =>
  hosts.every((h) => (isIP(h) === 0 ? c.checkHost(h, { wildcards: false }) !== undefined : c.checkIP(h) !== undefined));

/** Reads a set once (each PEM parsed once): whether its keys match and its chain holds, and its times. */
const readCertificates = (s: CertificateSet, hosts: readonly string[]): CertificateFacts => {
  try {
    const ca = new X509Certificate(s.ca.cert);
    const serving = new X509Certificate(s.serving.cert);
    const bundle = pemBlocks(s.caBundle).map((b) => new X509Certificate(b));
    if (!ca.ca || !ca.checkPrivateKey(createPrivateKey(s.ca.key)))
      return { usable: false, reason: 'the CA and its key do not match' };
    if (!serving.checkPrivateKey(createPrivateKey(s.serving.key)))
      return { usable: false, reason: 'the serving certificate and its key do not match' };
    if (!bundle.some((b) => serving.checkIssued(b) && serving.verify(b.publicKey)))
      return { usable: false, reason: 'the serving certificate is not signed by a CA of the bundle' };
    return {
      usable: true,
      ca: validityOf(ca),
      serving: { ...validityOf(serving), coversHosts: covers(serving, hosts), signedByCa: serving.checkIssued(ca) },
      bundle: bundle.map((b) => validityOf(b).notAfter),
    };
  } catch (e) {
    return { usable: false, reason: `unreadable: ${errorMessage(e)}` };
  }
};

/**
 * What to do with the certificates, and why: keep them (and look again at `recheckAt`), make a new
 * CA and everything with it, add a new CA to the bundle, renew the serving certificate when it is
 * due, or reissue it (expired, other hosts, or moving to the new CA). `trusted` lists the CAs of the
 * bundle still valid, by position, for what is written next.
 */
export type CertificateIntent =
  | { readonly action: 'keep'; readonly recheckAt: number }
  | { readonly action: 'newCa'; readonly reason: string }
  | { readonly action: 'addCa'; readonly reason: string; readonly trusted: readonly number[] }
  | { readonly action: 'renewServing'; readonly reason: string; readonly trusted: readonly number[] }
  | { readonly action: 'reissueServing'; readonly reason: string; readonly trusted: readonly number[] };

/** When a third of the lifetime (from issue, not from the backdated start) is left (as cert-manager's default renewBefore). */
const renewalAt = (v: Validity): number => v.notAfter - (v.notAfter - v.issuedAt) / 3;

/** When a usable set needs looking at again: the earliest renewal point; a serving certificate of the old CA moves once the overlap is over (or when it expires, if sooner). */
const recheckAt = (f: Extract<CertificateFacts, { usable: true }>, p: CertificatePolicy): number =>
  Math.min(
    renewalAt(f.ca),
    f.serving.signedByCa ? renewalAt(f.serving) : Math.min(f.ca.issuedAt + p.caOverlapMs, f.serving.notAfter),
  );

/**
 * The rotation rule, one step at a time so that a client always trusts what is served:
 * - nothing usable (or the CA has expired): a new CA and a new serving certificate;
 * - the serving certificate has expired or does not name the hosts: a new one from the signing CA;
 * - the CA is due: a new CA is added to the bundle (the old one stays while it is valid), and the
 *   serving certificate is left alone, so that the new bundle reaches the API server before anything
 *   signed by the new CA is served; a serving certificate that would be due before the overlap ends
 *   is renewed first, from the old CA, so that it lasts through the overlap;
 * - the serving certificate is due, or signed by a CA that is no longer the signing one (once the
 *   new CA has been trusted for the overlap): a new one from the signing CA.
 */
export const decideRotation = (
  facts: CertificateFacts | undefined,
  p: CertificatePolicy,
  now: number,
): CertificateIntent => {
  if (facts === undefined) return { action: 'newCa', reason: 'no certificates yet' };
  if (!facts.usable) return { action: 'newCa', reason: facts.reason };
  if (now >= facts.ca.notAfter) return { action: 'newCa', reason: 'the CA has expired' };
  const trusted = facts.bundle.flatMap((notAfter, i) => (notAfter > now ? [i] : []));
  const { serving, ca } = facts;
  if (now >= serving.notAfter)
    return { action: 'reissueServing', reason: 'the serving certificate has expired', trusted };
  if (!serving.coversHosts)
    return { action: 'reissueServing', reason: `the serving certificate does not name ${p.hosts.join(', ')}`, trusted };
  if (now >= renewalAt(ca)) {
    if (serving.signedByCa && renewalAt(serving) < now + p.caOverlapMs)
      return {
        action: 'renewServing',
        reason: 'the serving certificate is renewed before the CA rotates, to last through the overlap',
        trusted,
      };
    return { action: 'addCa', reason: 'the CA is due for renewal', trusted };
  }
  if (serving.signedByCa && now >= renewalAt(serving))
    return { action: 'renewServing', reason: 'the serving certificate is due for renewal', trusted };
  if (!serving.signedByCa && now >= ca.issuedAt + p.caOverlapMs)
    return { action: 'reissueServing', reason: 'the serving certificate moves to the new CA', trusted };
  return { action: 'keep', recheckAt: recheckAt(facts, p) };
};

/** Carries out an intent other than keep: the set to write. `current` is the set it was decided from (none for a new CA). */
const issueFor = (
  intent: Exclude<CertificateIntent, { action: 'keep' }>,
  current: CertificateSet | undefined,
  p: CertificatePolicy,
  now: Date,
): CertificateSet => {
  if (intent.action === 'newCa' || current === undefined) {
    const ca = issueCa(now, p.caLifetimeMs);
    return {
      ca: { cert: ca.cert, key: ca.key },
      caBundle: ca.cert,
      serving: issueServing(ca, p.hosts, now, p.servingLifetimeMs),
    };
  }
  const blocks = pemBlocks(current.caBundle);
  const stillTrusted = intent.trusted.map((i) => blocks[i] ?? '');
  if (intent.action === 'addCa') {
    const ca = issueCa(now, p.caLifetimeMs);
    return { ...current, ca: { cert: ca.cert, key: ca.key }, caBundle: [ca.cert, ...stillTrusted].join('') };
  }
  const signing = new X509Certificate(current.ca.cert);
  const ca: SigningCa = {
    ...current.ca,
    subject: signing.subject.replace(/^CN=/, ''),
    notAfter: new Date(signing.validTo).getTime(),
  };
  return { ...current, caBundle: stillTrusted.join(''), serving: issueServing(ca, p.hosts, now, p.servingLifetimeMs) };
};

/** What to do with the certificates found (none: no Secret data yet): keep them until `recheckAt`, or write `set`. */
export type CertificateDecision =
  | { readonly action: 'keep'; readonly recheckAt: number }
  | { readonly action: 'replace'; readonly reason: string; readonly set: CertificateSet };

/** The rotation rule carried out: read the set once, decide, and issue what the intent needs. */
export const decideCertificates = (
  current: CertificateSet | undefined,
  p: CertificatePolicy,
  now: Date,
): CertificateDecision => {
  const intent = decideRotation(
    current === undefined ? undefined : readCertificates(current, p.hosts),
    p,
    now.getTime(),
  );
  return intent.action === 'keep'
    ? intent
    : { action: 'replace', reason: intent.reason, set: issueFor(intent, current, p, now) };
};
