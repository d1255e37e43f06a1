// A self-signed certificate for the "no certificate matches" case, made with
// node:crypto and a minimal X.509 (RFC 5280) DER writer: no openssl binary is
// needed at runtime, so the proxy starts the same everywhere.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface PemPair {
  cert: string;
  key: string;
}

export interface SelfSignedOptions {
  commonName: string;
  /** DNS subjectAltNames; defaults to the common name. */
  dnsNames?: string[];
  validDays?: number;
  now?: Date;
}

/** An ECDSA P-256 key and a self-signed certificate for it, both PEM. */
export function selfSignedCertificate(options: SelfSignedOptions): PemPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + (options.validDays ?? 3650) * 24 * 60 * 60 * 1000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const cert = certificateDer({ commonName: options.commonName, dnsNames: options.dnsNames ?? [options.commonName], notBefore, notAfter, spki, privateKey });
  return { cert: toPem('CERTIFICATE', cert), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

interface CertificateFields {
  commonName: string;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  privateKey: KeyObject;
}

const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function certificateDer(f: CertificateFields): Buffer {
  const algorithm = sequence(oid(OID_ECDSA_WITH_SHA256));
  const name = sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(f.commonName))));
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive INTEGER
  const extensions = sequence(
    extension(OID_BASIC_CONSTRAINTS, true, sequence()),
    extension(OID_EXT_KEY_USAGE, false, sequence(oid(OID_SERVER_AUTH))),
    extension(OID_SUBJECT_ALT_NAME, false, sequence(...f.dnsNames.map((n) => tlv(0x82, Buffer.from(n, 'ascii'))))),
  );
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serial),
    algorithm,
    name, // issuer = subject: self-signed
    sequence(time(f.notBefore), time(f.notAfter)),
    name,
    f.spki,
    tlv(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, f.privateKey); // DER ECDSA-Sig-Value
  return sequence(tbs, algorithm, bitString(signature));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), tlv(0x01, Buffer.from([0xff])), octetString(value)) : sequence(oid(id), octetString(value));
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octetString = (content: Buffer) => tlv(0x04, content);
const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));

function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] & 0x80) === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const base128: number[] = [];
    for (let v = part; ; v = Math.floor(v / 128)) {
      base128.unshift((v & 0x7f) | (base128.length ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function toPem(label: string, der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
