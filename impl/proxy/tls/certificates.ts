// Which certificate a TLS client gets. The served Ingresses' spec.tls entries
// bind host names to kubernetes.io/tls Secrets of the Ingress's namespace;
// SNI picks: an exact host name first, then a "*.suffix" entry for exactly one
// extra label, then the default (self-signed) certificate. A host claimed by
// two entries goes to the Ingress first in precedence (routing/order.ts). A Secret that is
// missing or unusable is reported against the Ingress and only its hosts fall
// back to the default certificate.
import type { V1Ingress, V1Secret } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { normalizeHostName, wildcardSuffixOf } from '../routing/host.ts';
import { IngressPrecedence, refOf, type IngressRef } from '../routing/order.ts';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface PemPair {
  cert: string;
  key: string;
}

export interface CertificateChoice<C> {
  context: C;
  match: 'exact' | 'wildcard' | 'default';
  /** "namespace/name" of the Secret, when not the default. */
  secret?: string;
}

export class CertificateStore<C> {
  readonly #exact = new Map<string, { context: C; secret: string }>();
  readonly #wildcard = new Map<string, { context: C; secret: string }>();
  readonly #default: C;

  constructor(defaultContext: C) {
    this.#default = defaultContext;
  }

  /** Binds a host ("foo.com" or "*.foo.com"); false when the host is already bound. */
  bind(host: string, context: C, secret: string): boolean {
    const name = normalizeHostName(host);
    const [map, key] = name.startsWith('*.') ? [this.#wildcard, name.slice(2)] : [this.#exact, name];
    if (map.has(key)) return false;
    map.set(key, { context, secret });
    return true;
  }

  boundSecret(host: string): string | undefined {
    const name = normalizeHostName(host);
    return (name.startsWith('*.') ? this.#wildcard.get(name.slice(2)) : this.#exact.get(name))?.secret;
  }

  select(serverName: string | undefined): CertificateChoice<C> {
    if (serverName) {
      const name = normalizeHostName(serverName);
      const exact = this.#exact.get(name);
      if (exact) return { context: exact.context, match: 'exact', secret: exact.secret };
      const suffix = wildcardSuffixOf(name);
      const wildcard = suffix === undefined ? undefined : this.#wildcard.get(suffix);
      if (wildcard) return { context: wildcard.context, match: 'wildcard', secret: wildcard.secret };
    }
    return { context: this.#default, match: 'default' };
  }

  get size(): number {
    return this.#exact.size + this.#wildcard.size;
  }
}

export interface TlsIssue {
  ingress: IngressRef;
  reason: 'InvalidTLSSecret' | 'TLSHostConflict';
  message: string;
}

/**
 * Builds the store from the served Ingresses. `makeContext` turns a PEM pair
 * into whatever the server needs (a SecureContext); it may throw, e.g. when
 * the key does not belong to the certificate, and that becomes an issue.
 */
export function buildCertificateStore<C>(
  served: readonly V1Ingress[],
  secrets: readonly V1Secret[],
  makeContext: (pem: PemPair, secret: string) => C,
  defaultContext: C,
  precedence = new IngressPrecedence(),
): { store: CertificateStore<C>; issues: TlsIssue[] } {
  const store = new CertificateStore(defaultContext);
  const issues: TlsIssue[] = [];
  const secretIndex = new Map(secrets.map((s) => [`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name}`, s]));
  const contexts = new Map<string, C | Error>();

  for (const ingress of precedence.order(served)) {
    const ref = refOf(ingress);
    (ingress.spec?.tls ?? []).forEach((entry, i) => {
      // Without a secretName the entry only names SNI hosts; there is nothing to terminate with.
      if (!entry.secretName) return;
      const secretId = `${ref.namespace}/${entry.secretName}`;
      let context = contexts.get(secretId);
      if (context === undefined) {
        try {
          context = makeContext(tlsPemOf(secretIndex.get(secretId), secretId), secretId);
        } catch (error) {
          context = error as Error;
        }
        contexts.set(secretId, context);
      }
      if (context instanceof Error) {
        issues.push({ ingress: ref, reason: 'InvalidTLSSecret', message: `spec.tls[${i}]: ${context.message}; its hosts get the default certificate` });
        return;
      }
      const hosts = entry.hosts?.length ? entry.hosts : ruleHostsOf(ingress);
      for (const host of hosts) {
        if (store.bind(host, context, secretId)) continue;
        const holder = store.boundSecret(host);
        if (holder !== secretId) {
          issues.push({ ingress: ref, reason: 'TLSHostConflict', message: `spec.tls[${i}]: host "${host}" already uses Secret ${holder} of an Ingress that takes precedence (one not being deleted, else the older); ${secretId} is not used for it` });
        }
      }
    });
  }
  return { store, issues };
}

/** The certificate and key of a kubernetes.io/tls Secret, or an error saying what is wrong with it. */
export function tlsPemOf(secret: V1Secret | undefined, secretId: string): PemPair {
  if (!secret) throw new Error(`Secret ${secretId} does not exist (only Secrets of type ${TLS_SECRET_TYPE} are used)`);
  if (secret.type !== TLS_SECRET_TYPE) throw new Error(`Secret ${secretId} has type "${secret.type ?? ''}", not ${TLS_SECRET_TYPE}`);
  const read = (key: string): string => {
    const b64 = secret.data?.[key];
    if (b64) return Buffer.from(b64, 'base64').toString('utf8');
    const plain = secret.stringData?.[key];
    if (plain) return plain;
    throw new Error(`Secret ${secretId} has no data["${key}"]`);
  };
  const pem = { cert: read('tls.crt'), key: read('tls.key') };
  try {
    new X509Certificate(pem.cert);
  } catch (error) {
    throw new Error(`Secret ${secretId} data["tls.crt"] is not a PEM certificate (${(error as Error).message})`);
  }
  return pem;
}

function ruleHostsOf(ingress: V1Ingress): string[] {
  return [...new Set((ingress.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => !!h))];
}
