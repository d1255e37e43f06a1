// Echo settings from flags and environment. Flags win over env so a Pod's
// `args` can override what its `env` says; a bad value names its source.
import type { EchoIdentity } from '../../lib/echo-body.ts';

export type { EchoIdentity };

export interface EchoConfig {
  /** Plain HTTP port. */
  port: number;
  /** Address to bind; undefined = all addresses. */
  host: string | undefined;
  /** HTTPS port; only served when a certificate and key are given too. */
  tlsPort: number | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Start with the readiness endpoint answering 503. */
  startUnready: boolean;
  /** Request bodies are echoed up to this many bytes; the rest is counted, not kept. */
  maxBodyBytes: number;
  /** SIGTERM: how long in-flight requests may take before connections are cut. */
  shutdownTimeoutMs: number;
  /** A Server header on every answer (suites check that a proxy keeps a backend's own); none when unset. */
  serverHeader: string | undefined;
  /** Who this echo is, reported in every answer (null when unset). */
  identity: EchoIdentity;
}

export class EchoConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EchoConfigError';
  }
}

interface Option {
  flag: string;
  env: string;
  kind: 'port' | 'string' | 'boolean' | 'count';
}

const OPTIONS = {
  port: { flag: '--port', env: 'PORT', kind: 'port' },
  host: { flag: '--host', env: 'HOST', kind: 'string' },
  tlsPort: { flag: '--tls-port', env: 'TLS_PORT', kind: 'port' },
  tlsCertFile: { flag: '--tls-cert', env: 'TLS_CERT', kind: 'string' },
  tlsKeyFile: { flag: '--tls-key', env: 'TLS_KEY', kind: 'string' },
  startUnready: { flag: '--start-unready', env: 'START_UNREADY', kind: 'boolean' },
  maxBodyBytes: { flag: '--max-body-bytes', env: 'MAX_BODY_BYTES', kind: 'count' },
  shutdownTimeoutMs: { flag: '--shutdown-timeout-ms', env: 'SHUTDOWN_TIMEOUT_MS', kind: 'count' },
  serverHeader: { flag: '--server-header', env: 'SERVER_HEADER', kind: 'string' },
} as const satisfies Record<string, Option>;

type Key = keyof typeof OPTIONS;

/** Parses `argv` (without node and script) and `env`; throws EchoConfigError naming the bad flag or variable. */
export function parseEchoConfig(argv: readonly string[], env: Record<string, string | undefined>): EchoConfig {
  const raw = new Map<Key, { value: string; source: string }>();
  for (const key of Object.keys(OPTIONS) as Key[]) {
    const value = env[OPTIONS[key].env];
    if (value !== undefined && value !== '') raw.set(key, { value, source: `env ${OPTIONS[key].env}` });
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const key = (Object.keys(OPTIONS) as Key[]).find((k) => OPTIONS[k].flag === name);
    if (!key) throw new EchoConfigError(`unknown argument "${arg}" (known: ${Object.values(OPTIONS).map((o) => o.flag).join(', ')})`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (OPTIONS[key].kind === 'boolean') value = 'true';
    else {
      if (i + 1 >= argv.length) throw new EchoConfigError(`flag ${name} needs a value`);
      value = argv[++i];
    }
    raw.set(key, { value, source: `flag ${name}` });
  }

  const port = (key: Key, fallback?: number) => {
    const r = raw.get(key);
    if (!r) return fallback;
    const n = Number(r.value);
    if (!/^\d+$/.test(r.value) || n < 0 || n > 65535) throw new EchoConfigError(`${r.source}: "${r.value}" is not a port (0-65535)`);
    return n;
  };
  const count = (key: Key, fallback: number) => {
    const r = raw.get(key);
    if (!r) return fallback;
    if (!/^\d+$/.test(r.value)) throw new EchoConfigError(`${r.source}: "${r.value}" is not a non-negative integer`);
    return Number(r.value);
  };
  const bool = (key: Key) => {
    const r = raw.get(key);
    if (!r) return false;
    if (r.value === 'true' || r.value === '1') return true;
    if (r.value === 'false' || r.value === '0') return false;
    throw new EchoConfigError(`${r.source}: "${r.value}" is not a boolean (true/false)`);
  };

  const config: EchoConfig = {
    port: port('port', 8080)!,
    host: raw.get('host')?.value,
    tlsPort: port('tlsPort'),
    tlsCertFile: raw.get('tlsCertFile')?.value,
    tlsKeyFile: raw.get('tlsKeyFile')?.value,
    startUnready: bool('startUnready'),
    maxBodyBytes: count('maxBodyBytes', 1 << 20),
    shutdownTimeoutMs: count('shutdownTimeoutMs', 10_000),
    serverHeader: raw.get('serverHeader')?.value,
    identity: {
      namespace: env.POD_NAMESPACE || null,
      pod: env.POD_NAME || null,
      node: env.NODE_NAME || null,
      podIP: env.POD_IP || null,
      service: env.SERVICE_NAME || null,
      ingress: env.INGRESS_NAME || null,
    },
  };
  const tlsParts = [config.tlsPort !== undefined, config.tlsCertFile !== undefined, config.tlsKeyFile !== undefined];
  if (tlsParts.some(Boolean) && !tlsParts.every(Boolean)) {
    throw new EchoConfigError('HTTPS needs all of --tls-port, --tls-cert and --tls-key (or TLS_PORT, TLS_CERT, TLS_KEY); got only some');
  }
  return config;
}
