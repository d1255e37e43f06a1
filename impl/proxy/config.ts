// Proxy settings from flags, each also settable by an environment variable
// (VIPCHECK_<FLAG_IN_CAPITALS>) so manifests stay short. A flag wins over its
// variable. A bad value is refused with the flag or variable that carried it.
import { BALANCE_POLICIES, type BalancePolicy } from './upstream/balancer.ts';
import { DEFAULT_CONTROLLER_NAME } from './routing/class-selection.ts';

export interface ProxyConfig {
  httpPort: number;
  /** undefined: no HTTPS listener ("--https-port=off"). */
  httpsPort: number | undefined;
  metricsPort: number;
  bindAddress: string | undefined;
  controllerName: string;
  /** Extra legacy annotation value served (kubernetes.io/ingress.class). */
  ingressClass: string | undefined;
  /** "namespace/name" of the Service whose load-balancer addresses go into Ingress status. */
  publishService: { namespace: string; name: string } | undefined;
  /** Fixed status addresses (IPs or host names), instead of publishService. */
  publishStatusAddresses: string[];
  kubeconfig: string | undefined;
  /** Serve the objects of this YAML/JSON file instead of watching a cluster. */
  stateFile: string | undefined;
  balance: BalancePolicy;
  upstreamConnectTimeoutMs: number;
  upstreamTimeoutMs: number;
  upstreamRetries: number;
  upstreamIdleTimeoutMs: number;
  clientHeaderTimeoutMs: number;
  clientRequestTimeoutMs: number;
  clientKeepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  maxUriBytes: number;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
  /** After SIGTERM, keep serving (while /readyz fails) this long before closing listeners. */
  shutdownDelayMs: number;
  debounceMs: number;
  /** Server header of answers that carry none of their own (a backend's own is kept); undefined: none. */
  serverHeader: string | undefined;
  /** Who we are, for Events (from the Downward API). */
  podName: string | undefined;
  podNamespace: string | undefined;
  nodeName: string | undefined;
}

export class ProxyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyConfigError';
  }
}

type Kind = 'port' | 'port-or-off' | 'count' | 'string' | 'balance' | 'namespaced-name' | 'list' | 'product-or-off';

interface Flag {
  key: keyof ProxyConfig;
  flag: string;
  kind: Kind;
  default?: unknown;
  help: string;
}

/** What the proxy says it is (RFC 9110 §10.2.4: product tokens, no version to give away). */
export const DEFAULT_SERVER_HEADER = 'vipcheck-proxy';

export const FLAGS: readonly Flag[] = [
  { key: 'httpPort', flag: '--http-port', kind: 'port', default: 80, help: 'HTTP listener port' },
  { key: 'httpsPort', flag: '--https-port', kind: 'port-or-off', default: 443, help: 'HTTPS listener port, or "off"' },
  { key: 'metricsPort', flag: '--metrics-port', kind: 'port', default: 10254, help: '/healthz, /readyz and /metrics port' },
  { key: 'bindAddress', flag: '--bind-address', kind: 'string', help: 'address to listen on (default: all)' },
  { key: 'controllerName', flag: '--controller-name', kind: 'string', default: DEFAULT_CONTROLLER_NAME, help: 'spec.controller of the IngressClasses we serve' },
  { key: 'ingressClass', flag: '--ingress-class', kind: 'string', help: 'extra kubernetes.io/ingress.class annotation value to serve' },
  { key: 'publishService', flag: '--publish-service', kind: 'namespaced-name', help: 'namespace/name of the Service whose load-balancer address goes into Ingress status' },
  { key: 'publishStatusAddresses', flag: '--publish-status-address', kind: 'list', default: [], help: 'comma-separated addresses for Ingress status (instead of --publish-service)' },
  { key: 'kubeconfig', flag: '--kubeconfig', kind: 'string', help: 'kubeconfig file (default: $KUBECONFIG, then in-cluster, then ~/.kube/config)' },
  { key: 'stateFile', flag: '--state-file', kind: 'string', help: 'serve the objects in this YAML/JSON file instead of watching a cluster' },
  { key: 'balance', flag: '--balance', kind: 'balance', default: 'round-robin', help: `endpoint choice: ${BALANCE_POLICIES.join(' | ')}` },
  { key: 'upstreamConnectTimeoutMs', flag: '--upstream-connect-timeout-ms', kind: 'count', default: 5_000, help: 'connect timeout to an endpoint' },
  { key: 'upstreamTimeoutMs', flag: '--upstream-timeout-ms', kind: 'count', default: 60_000, help: 'time for an endpoint to start answering (504 after)' },
  { key: 'upstreamRetries', flag: '--upstream-retries', kind: 'count', default: 2, help: 'extra attempts on other endpoints after a failed connection' },
  { key: 'upstreamIdleTimeoutMs', flag: '--upstream-idle-timeout-ms', kind: 'count', default: 30_000, help: 'idle keep-alive connections to endpoints close after this' },
  { key: 'clientHeaderTimeoutMs', flag: '--client-header-timeout-ms', kind: 'count', default: 10_000, help: 'time for a client to send the request head' },
  { key: 'clientRequestTimeoutMs', flag: '--client-request-timeout-ms', kind: 'count', default: 60_000, help: 'time for a client to send the whole request' },
  { key: 'clientKeepAliveTimeoutMs', flag: '--client-keepalive-timeout-ms', kind: 'count', default: 60_000, help: 'idle client connections close after this' },
  { key: 'maxHeaderBytes', flag: '--max-header-bytes', kind: 'count', default: 16_384, help: 'request header fields over this get 431' },
  { key: 'maxUriBytes', flag: '--max-uri-bytes', kind: 'count', default: 8_192, help: 'request targets over this get 414' },
  { key: 'maxBodyBytes', flag: '--max-body-bytes', kind: 'count', default: 100 * 1024 * 1024, help: 'request bodies over this get 413 (0: no limit)' },
  { key: 'shutdownTimeoutMs', flag: '--shutdown-timeout-ms', kind: 'count', default: 25_000, help: 'SIGTERM: time in-flight requests get to finish' },
  { key: 'shutdownDelayMs', flag: '--shutdown-delay-ms', kind: 'count', default: 0, help: 'SIGTERM: keep serving this long (readyz failing) before closing listeners' },
  { key: 'debounceMs', flag: '--debounce-ms', kind: 'count', default: 50, help: 'wait for more changes this long before rebuilding the routing table' },
  { key: 'serverHeader', flag: '--server-header', kind: 'product-or-off', default: DEFAULT_SERVER_HEADER, help: 'Server header of answers without one of their own (a backend\'s own is kept), or "off"' },
];

export function envName(flag: string): string {
  return `VIPCHECK_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

export function usage(): string {
  return FLAGS.map((f) => `  ${f.flag.padEnd(32)} ${f.help}${f.default !== undefined ? ` (default ${JSON.stringify(f.default)})` : ''}  [env ${envName(f.flag)}]`).join('\n');
}

/** Parses argv (without node and script) and env. Throws ProxyConfigError naming the flag or variable. */
export function parseProxyConfig(argv: readonly string[], env: Record<string, string | undefined>): ProxyConfig {
  const raw = new Map<keyof ProxyConfig, { value: string; source: string }>();
  for (const f of FLAGS) {
    const name = envName(f.flag);
    const value = f.key === 'kubeconfig' ? env[name] ?? env.KUBECONFIG : env[name];
    if (value !== undefined && value !== '') raw.set(f.key, { value, source: `env ${env[name] !== undefined ? name : 'KUBECONFIG'}` });
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const f = FLAGS.find((x) => x.flag === name);
    if (!f) throw new ProxyConfigError(`unknown argument "${arg}"; flags:\n${usage()}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new ProxyConfigError(`flag ${name} needs a value`);
      value = argv[++i];
    }
    raw.set(f.key, { value, source: `flag ${name}` });
  }

  const config: Record<string, unknown> = {};
  for (const f of FLAGS) {
    const r = raw.get(f.key);
    config[f.key] = r === undefined ? f.default : convert(f.kind, r.value, r.source);
  }
  config.podName = env.POD_NAME || undefined;
  config.podNamespace = env.POD_NAMESPACE || undefined;
  config.nodeName = env.NODE_NAME || undefined;
  const result = config as unknown as ProxyConfig;
  if (result.publishService && result.publishStatusAddresses.length > 0) {
    throw new ProxyConfigError('give either --publish-service or --publish-status-address, not both');
  }
  if (result.clientRequestTimeoutMs > 0 && result.clientRequestTimeoutMs < result.clientHeaderTimeoutMs) {
    throw new ProxyConfigError(`--client-request-timeout-ms (${result.clientRequestTimeoutMs}) must not be shorter than --client-header-timeout-ms (${result.clientHeaderTimeoutMs})`);
  }
  return result;
}

function convert(kind: Kind, value: string, source: string): unknown {
  const fail = (what: string): never => {
    throw new ProxyConfigError(`${source}: "${value}" is not ${what}`);
  };
  switch (kind) {
    case 'port-or-off':
    case 'port': {
      if (kind === 'port-or-off' && value === 'off') return undefined;
      if (!/^\d+$/.test(value) || Number(value) > 65535) fail(kind === 'port' ? 'a port (0-65535)' : 'a port (0-65535) or "off"');
      return Number(value);
    }
    case 'count':
      if (!/^\d+$/.test(value)) fail('a non-negative integer');
      return Number(value);
    case 'string':
      return value;
    case 'balance':
      if (!BALANCE_POLICIES.includes(value as BalancePolicy)) fail(`one of ${BALANCE_POLICIES.join(', ')}`);
      return value;
    case 'namespaced-name': {
      const parts = value.split('/');
      if (parts.length !== 2 || !parts[0] || !parts[1]) fail('namespace/name');
      return { namespace: parts[0], name: parts[1] };
    }
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    case 'product-or-off':
      if (value === 'off') return undefined;
      // Visible ASCII words separated by single spaces: a field value that cannot smuggle a line break (RFC 9110 §5.5).
      if (!/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(value)) fail('a Server header value (visible ASCII words, e.g. "vipcheck-proxy/1.0") or "off"');
      return value;
  }
}
