import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/asn1-x509';
import { errorMessage } from '@kubevirt-migration/service';

/**
 * The webhook's own certificates, when no one else provides them: a CA and a serving certificate
 * signed by it (ECDSA P-256, SHA-256). The X.509 structures come from @peculiar/asn1-x509; keys and
 * signatures from node:crypto. Everything here is pure but for the randomness of keys and serials.
 */

/** A key pair in PEM: the certificate and its PKCS #8 private key. */
interface Issued {
  readonly cert: string;
  readonly key: string;
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
    new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: COMMON_NAME, value: new x509.AttributeValue({ utf8String: cn }) })]),
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
  readonly issuer?: Issued;
}

const issue = (r: Request): Issued => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = r.issuer === undefined ? pair.privateKey : createPrivateKey(r.issuer.key);
  const issuerName = r.issuer === undefined ? r.subject : new X509Certificate(r.issuer.cert).subject.replace(/^CN=/, '');
  const extensions = r.ca
    ? [
        extension(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
        extension(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign)),
      ]
    : [
        extension(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: false })),
        extension(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature)),
        extension(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth])),
        extension(
          x509.id_ce_subjectAltName,
          false,
          new x509.SubjectAlternativeName(
            (r.hosts ?? []).map((h) => (isIP(h) === 0 ? new x509.GeneralName({ dNSName: h }) : new x509.GeneralName({ iPAddress: h }))),
          ),
        ),
      ];
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: serial(),
    signature: new x509.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: nameOf(issuerName),
    subject: nameOf(r.subject),
    validity: new x509.Validity({ notBefore: new Date(r.now.getTime() - BACKDATE_MS), notAfter: r.notAfter }),
    subjectPublicKeyInfo: AsnConvert.parse(pair.publicKey.export({ type: 'spki', format: 'der' }), x509.SubjectPublicKeyInfo),
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
const issueCa = (now: Date, lifetimeMs: number): Issued =>
  issue({ subject: `kubevirt-migration-webhook-ca@${Math.floor(now.getTime() / 1000)}`, ca: true, now, notAfter: new Date(now.getTime() + lifetimeMs) });

/** A serving certificate for `hosts`, signed by `ca`, never valid beyond the CA. */
const issueServing = (ca: Issued, hosts: readonly string[], now: Date, lifetimeMs: number): Issued => {
  const caEnd = new Date(new X509Certificate(ca.cert).validTo).getTime();
  return issue({
    subject: hosts[0] ?? 'kubevirt-migration-webhook',
    ca: false,
    hosts,
    now,
    issuer: ca,
    notAfter: new Date(Math.min(now.getTime() + lifetimeMs, caEnd)),
  });
};

/** The certificates the webhook keeps (in a Secret): the CA that signs, the CAs trusted, the serving pair. */
export interface CertificateSet {
  readonly ca: Issued;
  /** PEM of every CA a client must trust: the signing CA and, after a CA rotation, the one before while it is valid. */
  readonly caBundle: string;
  readonly serving: Issued;
}

const validity = (pem: string): { readonly from: number; readonly to: number } => {
  const c = new X509Certificate(pem);
  return { from: new Date(c.validFrom).getTime(), to: new Date(c.validTo).getTime() };
};

const issuedAt = (pem: string): number => validity(pem).from + BACKDATE_MS;

/** When a third of the lifetime (from issue, not from the backdated start) is left (as cert-manager's default renewBefore). */
const renewalAt = (pem: string): number => {
  const v = validity(pem);
  return v.to - (v.to - issuedAt(pem)) / 3;
};
const due = (pem: string, now: number): boolean => now >= renewalAt(pem);

const coversHosts = (pem: string, hosts: readonly string[]): boolean => {
  const c = new X509Certificate(pem);
  return hosts.every((h) => (isIP(h) === 0 ? c.checkHost(h, { wildcards: false }) !== undefined : c.checkIP(h) !== undefined));
};

const pemBlocks = (bundle: string): string[] => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

/** Why a set cannot be kept at all, so that a new CA is needed (undefined: its CA can go on signing). */
const unusable = (s: CertificateSet, now: number): string | undefined => {
  try {
    const ca = new X509Certificate(s.ca.cert);
    const serving = new X509Certificate(s.serving.cert);
    if (!ca.ca || !ca.checkPrivateKey(createPrivateKey(s.ca.key))) return 'the CA and its key do not match';
    if (!serving.checkPrivateKey(createPrivateKey(s.serving.key))) return 'the serving certificate and its key do not match';
    if (!pemBlocks(s.caBundle).some((b) => serving.checkIssued(new X509Certificate(b)) && serving.verify(new X509Certificate(b).publicKey)))
      return 'the serving certificate is not signed by a CA of the bundle';
    if (now >= validity(s.ca.cert).to) return 'the CA has expired';
    return undefined;
  } catch (e) {
    return `unreadable: ${errorMessage(e)}`;
  }
};

/** What to do with the certificates found (none: no Secret data yet). */
export type CertificateDecision = { readonly action: 'keep' } | { readonly action: 'replace'; readonly reason: string; readonly set: CertificateSet };

/**
 * The rotation rule, one step at a time so that a client always trusts what is served:
 * - nothing usable: a new CA and a new serving certificate;
 * - the serving certificate has expired or does not name the hosts: a new one from the signing CA;
 * - the CA is due: a new CA is added to the bundle (the old one stays while it is valid), and the
 *   serving certificate is left alone, so that the new bundle reaches the API server before anything
 *   signed by the new CA is served; a serving certificate that would be due before the overlap ends
 *   is renewed first, from the old CA, so that it lasts through the overlap;
 * - the serving certificate is due, or signed by a CA that is no longer the signing one: a new one
 *   from the signing CA.
 */
export const decideCertificates = (current: CertificateSet | undefined, p: CertificatePolicy, nowDate: Date): CertificateDecision => {
  const now = nowDate.getTime();
  const reason = current === undefined ? 'no certificates yet' : unusable(current, now);
  if (current === undefined || reason !== undefined) {
    const ca = issueCa(nowDate, p.caLifetimeMs);
    return {
      action: 'replace',
      reason: reason ?? 'no certificates yet',
      set: { ca, caBundle: ca.cert, serving: issueServing(ca, p.hosts, nowDate, p.servingLifetimeMs) },
    };
  }
  const stillTrusted = pemBlocks(current.caBundle).filter((b) => validity(b).to > now);
  const renewServing = (why: string): CertificateDecision => ({
    action: 'replace',
    reason: why,
    set: { ...current, caBundle: stillTrusted.join(''), serving: issueServing(current.ca, p.hosts, nowDate, p.servingLifetimeMs) },
  });
  if (now >= validity(current.serving.cert).to) return renewServing('the serving certificate has expired');
  if (!coversHosts(current.serving.cert, p.hosts)) return renewServing(`the serving certificate does not name ${p.hosts.join(', ')}`);
  const signedByCurrent = new X509Certificate(current.serving.cert).checkIssued(new X509Certificate(current.ca.cert));
  if (due(current.ca.cert, now)) {
    if (signedByCurrent && renewalAt(current.serving.cert) < now + p.caOverlapMs) {
      return renewServing('the serving certificate is renewed before the CA rotates, to last through the overlap');
    }
    const ca = issueCa(nowDate, p.caLifetimeMs);
    return { action: 'replace', reason: 'the CA is due for renewal', set: { ...current, ca, caBundle: [ca.cert, ...stillTrusted].join('') } };
  }
  const caPublished = now >= issuedAt(current.ca.cert) + p.caOverlapMs;
  if ((due(current.serving.cert, now) || !signedByCurrent) && (signedByCurrent || caPublished)) {
    return renewServing(signedByCurrent ? 'the serving certificate is due for renewal' : 'the serving certificate moves to the new CA');
  }
  return { action: 'keep' };
};

/** When the set needs looking at again (the earliest renewal point), for a timer. */
export const nextCheckAt = (s: CertificateSet, p: CertificatePolicy): number => {
  const signedByCurrent = new X509Certificate(s.serving.cert).checkIssued(new X509Certificate(s.ca.cert));
  // a serving certificate of the old CA moves once the overlap is over (or when it expires, if sooner)
  return Math.min(
    renewalAt(s.ca.cert),
    signedByCurrent ? renewalAt(s.serving.cert) : Math.min(issuedAt(s.ca.cert) + p.caOverlapMs, validity(s.serving.cert).to),
  );
};
