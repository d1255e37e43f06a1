// Entry point of the `vipcheck/proxy` image: the reference Ingress controller.
//   node impl/proxy/main.ts [flags]        (every flag also as env VIPCHECK_<FLAG>; --help lists them)
// In a cluster it watches the API server; with --state-file it serves the
// objects of a file instead (no cluster needed). Prints one JSON line
// {"msg":"listening",...} with its ports once it accepts connections.
import { parseProxyConfig, ProxyConfigError, usage, type ProxyConfig } from './config.ts';
import { jsonLogger } from './log.ts';
import { ProxyMetrics } from './metrics.ts';
import { startAdminServer, type AdminServer } from './server/admin-server.ts';
import { ProxyServer } from './server/proxy-server.ts';
import { SnapshotBuilder, type ClusterState, type ProxySnapshot } from './snapshot.ts';
import { selfSignedCertificate } from './tls/self-signed.ts';

const log = jsonLogger('vipcheck-proxy');

if (process.argv.includes('--help')) {
  process.stdout.write(`usage: node impl/proxy/main.ts [flags]\n${usage()}\n`);
  process.exit(0);
}

let config: ProxyConfig;
try {
  config = parseProxyConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ProxyConfigError)) throw error;
  process.stderr.write(`vipcheck-proxy: ${error.message}\n`);
  process.exit(2);
}

// Handlers first: a supervisor may signal as soon as it sees the listening line.
let stopping: ((signal: string) => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => (stopping ? stopping(signal) : process.exit(0)));
}

const metrics = new ProxyMetrics();
const defaultCertificate = selfSignedCertificate({ commonName: 'vipcheck-proxy-default-certificate', dnsNames: ['vipcheck-proxy.invalid'] });
const builder = new SnapshotBuilder({ controllerName: config.controllerName, legacyClassName: config.ingressClass }, defaultCertificate);

let draining = false;
let proxy: ProxyServer;
let admin: AdminServer;
let controller: { stop(): Promise<void>; readonly synced: boolean; readonly unsynced: string[] } | undefined;
try {
  proxy = await ProxyServer.start({
    httpPort: config.httpPort,
    httpsPort: config.httpsPort,
    bindAddress: config.bindAddress,
    defaultCertificate,
    balance: config.balance,
    metrics,
    log,
    serverHeader: config.serverHeader,
    client: {
      headersTimeoutMs: config.clientHeaderTimeoutMs,
      requestTimeoutMs: config.clientRequestTimeoutMs,
      keepAliveTimeoutMs: config.clientKeepAliveTimeoutMs,
      maxHeaderBytes: config.maxHeaderBytes,
      maxUriBytes: config.maxUriBytes,
      maxBodyBytes: config.maxBodyBytes,
    },
    upstream: {
      connectTimeoutMs: config.upstreamConnectTimeoutMs,
      responseTimeoutMs: config.upstreamTimeoutMs,
      retries: config.upstreamRetries,
      idleTimeoutMs: config.upstreamIdleTimeoutMs,
    },
  });
  admin = await startAdminServer({
    port: config.metricsPort,
    bindAddress: config.bindAddress,
    metrics,
    ready: () => {
      if (draining) return { ok: false, why: 'shutting down' };
      if (!proxy.ready) return { ok: false, why: controller && !controller.synced ? `waiting for first list of ${controller.unsynced.join(', ')}` : 'no routing snapshot yet' };
      return { ok: true, why: 'ok' };
    },
  });
} catch (error) {
  log.error('cannot start', { error: (error as Error).message });
  process.exit(1);
}

/** Builds and installs a snapshot; a failure keeps the previous one in force. */
function apply(state: ClusterState): ProxySnapshot | undefined {
  try {
    const snapshot = builder.build(state);
    proxy.update(snapshot);
    metrics.countReload(true, snapshot.routes.size);
    log.info('routing snapshot applied', { served: snapshot.served.length, routes: snapshot.routes.size, certificates: snapshot.certificates.size, issues: snapshot.issues.length });
    return snapshot;
  } catch (error) {
    metrics.countReload(false, 0);
    log.error('routing snapshot failed; keeping the previous one', { error: (error as Error).stack ?? String(error) });
    return undefined;
  }
}

try {
  if (config.stateFile) {
    const { loadClusterState } = await import('./state-file.ts');
    const file = config.stateFile;
    const snapshot = apply(await loadClusterState(file));
    for (const issue of snapshot?.issues ?? []) log.warn('ingress problem', { ingress: `${issue.ingress.namespace}/${issue.ingress.name}`, reason: issue.reason, message: issue.message });
    process.on('SIGHUP', () => {
      loadClusterState(file).then(apply, (error: Error) => log.error('state file reload failed; keeping the previous state', { error: error.message }));
    });
  } else {
    const { IngressController, loadKubeConfig } = await import('./kube/controller.ts');
    const { kubeconfig, source } = loadKubeConfig(config.kubeconfig);
    log.info('watching cluster', { kubeconfig: source, server: kubeconfig.getCurrentCluster()?.server });
    const ingressController = new IngressController({ kubeconfig, config, log, apply });
    controller = ingressController;
    await ingressController.start();
  }
} catch (error) {
  log.error('cannot load routing state', { error: (error as Error).message });
  process.exit(1);
}

stopping = (signal: string) => {
  if (draining) return;
  draining = true;
  log.info('draining', { signal, inFlight: metrics.inFlight, delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs });
  void (async () => {
    // Fail /readyz first so endpoints drop us, while still serving what arrives.
    if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
    await proxy.shutdown(config.shutdownTimeoutMs);
    await controller?.stop().catch(() => undefined);
    await admin.close();
    log.info('stopped', { signal });
    process.exit(0);
  })();
};

process.stdout.write(`${JSON.stringify({ msg: 'listening', http: proxy.httpPort, https: proxy.httpsPort ?? null, metrics: admin.port })}\n`);
