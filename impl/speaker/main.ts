// Entry point of the vipcheck/speaker image: one codebase, two roles, like
// MetalLB v0.12 (controller Deployment + speaker DaemonSet).
//
//   node impl/speaker/main.ts controller [options]
//   node impl/speaker/main.ts speaker --node-name NODE [options]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Controller, CONTROLLER_COMPONENT } from './controller/controller.ts';
import { loadKubeConfig, waitForApiServer } from './kube/client.ts';
import { createLogger, errorMessage } from './log.ts';
import { MetricsRegistry } from './metrics/metrics.ts';
import { startMetricsServer } from './metrics/server.ts';
import { parseIPv4 } from '../../lib/net/index.ts';
import { Speaker } from './speaker/speaker.ts';

const USAGE = `usage: main.ts controller|speaker [options]

  --kubeconfig PATH        kubeconfig to use (else $KUBECONFIG, else in-cluster, else ~/.kube/config)
  --node-name NAME         speaker: this node's name (else $NODE_NAME)
  --node-address IP        speaker: this node's address, the default router-id (else $NODE_IP, else the Node's InternalIP)
  --metrics-port PORT      /metrics and /healthz (else $METRICS_PORT; default 7472 controller, 7473 speaker)
  --metrics-host ADDRESS   address to listen on (default 0.0.0.0)
  --config-namespace NS    namespace of the ConfigMap (else $CONFIG_NAMESPACE, default metallb-system)
  --config-name NAME       name of the ConfigMap (else $CONFIG_NAME, default config)
  --api-timeout SECONDS    how long to wait for the API server at start (default 60)
`;

const DEFAULT_METRICS_PORT = { controller: 7472, speaker: 7473 } as const;
const SHUTDOWN_GRACE_MS = 10_000;

class UsageError extends Error {}

interface Settings {
  role: 'controller' | 'speaker';
  kubeconfig?: string;
  nodeName?: string;
  nodeAddress?: string;
  metricsPort: number;
  metricsHost: string;
  configNamespace: string;
  configName: string;
  apiTimeoutSec: number;
}

export function parseSettings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kubeconfig: { type: 'string' },
        'node-name': { type: 'string' },
        'node-address': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'config-namespace': { type: 'string' },
        'config-name': { type: 'string' },
        'api-timeout': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1 || (positionals[0] !== 'controller' && positionals[0] !== 'speaker')) {
    throw new UsageError(`expected exactly one role, "controller" or "speaker"; got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  const role = positionals[0];
  const portText = values['metrics-port'] ?? env.METRICS_PORT;
  const metricsPort = portText === undefined ? DEFAULT_METRICS_PORT[role] : Number(portText);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) throw new UsageError(`--metrics-port ${JSON.stringify(portText)} is not a port number`);
  const timeoutText = values['api-timeout'] ?? '60';
  const apiTimeoutSec = Number(timeoutText);
  if (!(apiTimeoutSec > 0)) throw new UsageError(`--api-timeout ${JSON.stringify(timeoutText)} is not a positive number of seconds`);
  const nodeName = values['node-name'] ?? env.NODE_NAME;
  const nodeAddress = values['node-address'] ?? env.NODE_IP;
  if (role === 'speaker') {
    if (!nodeName) throw new UsageError('the speaker needs its node name: --node-name or $NODE_NAME');
    if (nodeAddress !== undefined && nodeAddress !== '' && parseIPv4(nodeAddress) === undefined) throw new UsageError(`node address ${JSON.stringify(nodeAddress)} is not an IPv4 address`);
  }
  return {
    role,
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(nodeName ? { nodeName } : {}),
    ...(nodeAddress ? { nodeAddress } : {}),
    metricsPort,
    metricsHost: values['metrics-host'] ?? '0.0.0.0',
    configNamespace: values['config-namespace'] ?? env.CONFIG_NAMESPACE ?? 'metallb-system',
    configName: values['config-name'] ?? env.CONFIG_NAME ?? 'config',
    apiTimeoutSec,
  };
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `error: ${error.message}\n\n` : ''}${USAGE}`);
    return error.message ? 2 : 0;
  }
  const log = createLogger(settings.role);
  const fatal = (message: string) => {
    log(`fatal: ${message}`);
    process.stderr.write(`${settings.role}: ${message}\n`);
    return 1;
  };

  let kube;
  try {
    kube = loadKubeConfig(settings.kubeconfig, process.env);
  } catch (error) {
    return fatal(errorMessage(error));
  }
  log(`using ${kube.source}: API server ${kube.server}`);

  const metrics = new MetricsRegistry();
  let role: Controller | Speaker | undefined;
  let apiReady = false;
  let stopping = false;
  let server;
  try {
    server = await startMetricsServer({
      port: settings.metricsPort,
      host: settings.metricsHost,
      registry: metrics,
      unhealthy: () => (stopping ? 'shutting down' : !apiReady ? `waiting for the API server ${kube.server}` : role?.unready()),
    });
  } catch (error) {
    return fatal(`cannot listen on ${settings.metricsHost}:${settings.metricsPort} for /metrics: ${errorMessage(error)}`);
  }
  log(`serving /metrics and /healthz on ${settings.metricsHost}:${server.port}`);

  const stopped = new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down`);
      const force = setTimeout(() => {
        log(`shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting anyway`);
        resolve(1);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      void (async () => {
        try {
          await role?.stop();
        } catch (error) {
          log(`error during shutdown: ${errorMessage(error)}`);
        }
        await server.close();
        clearTimeout(force);
        resolve(0);
      })();
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });

  try {
    const version = await waitForApiServer(kube, settings.apiTimeoutSec * 1000, log);
    log(`API server ${kube.server} answers (Kubernetes ${version})`);
  } catch (error) {
    await server.close();
    return fatal(errorMessage(error));
  }
  apiReady = true;
  if (stopping) return stopped;

  const instance = process.env.POD_NAME ?? os.hostname();
  if (settings.role === 'controller') {
    role = new Controller({
      kubeConfig: kube.kubeConfig, configNamespace: settings.configNamespace, configName: settings.configName,
      instance, log, metrics,
    });
    log(`controller ${CONTROLLER_COMPONENT} instance ${instance}`);
  } else {
    role = new Speaker({
      kubeConfig: kube.kubeConfig, nodeName: settings.nodeName!, configNamespace: settings.configNamespace, configName: settings.configName,
      ...(settings.nodeAddress ? { nodeAddress: settings.nodeAddress } : {}),
      log, metrics,
    });
  }
  void role.start().catch((error: unknown) => log(`start failed: ${errorMessage(error)}`));
  return stopped;
}

if (import.meta.main) {
  main().then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
