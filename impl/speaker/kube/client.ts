// Where the API server is and how to reach it: an explicit kubeconfig first
// (flag, then KUBECONFIG), then the in-cluster ServiceAccount, then the
// default ~/.kube/config. Start-up waits a bounded time for the server.
import fs from 'node:fs';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { waitFor, withTimeout } from '../../../lib/wait.ts';
import { errorMessage, type Logger } from '../log.ts';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** Where it came from, for the log. */
  source: string;
  server: string;
}

export function loadKubeConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  let source: string;
  const fromFile = (path: string, how: string) => {
    try {
      kubeConfig.loadFromFile(path);
    } catch (error) {
      throw new Error(`cannot load the kubeconfig ${path} (from ${how}): ${errorMessage(error)}`);
    }
    return `kubeconfig ${path} from ${how}`;
  };
  if (flag) {
    source = fromFile(flag, '--kubeconfig');
  } else if (env.KUBECONFIG) {
    const paths = env.KUBECONFIG.split(':').filter(Boolean);
    if (paths.length === 1) source = fromFile(paths[0], 'KUBECONFIG');
    else {
      kubeConfig.loadFromDefault();
      source = `kubeconfigs ${paths.join(', ')} from KUBECONFIG`;
    }
  } else if (env.KUBERNETES_SERVICE_HOST && fs.existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    source = 'in-cluster ServiceAccount';
  } else {
    kubeConfig.loadFromDefault();
    source = 'default kubeconfig';
  }
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error(`the ${source} names no current cluster (check its current-context)`);
  return { kubeConfig, source, server };
}

/**
 * Waits until the API server answers /version, retrying for at most
 * `timeoutMs`; the error says which server did not answer and what it last saw.
 */
export async function waitForApiServer(loaded: LoadedKubeConfig, timeoutMs: number, log: Logger): Promise<string> {
  const api = loaded.kubeConfig.makeApiClient(VersionApi);
  let attempt = 0;
  try {
    const result = await waitFor(`the Kubernetes API server at ${loaded.server} to answer /version`, async () => {
      attempt++;
      try {
        const info = await withTimeout(`GET ${loaded.server}/version`, api.getCode(), 5000);
        return { ok: true, value: info.gitVersion };
      } catch (error) {
        const message = errorMessage(error);
        if (attempt === 1 || attempt % 5 === 0) log(`API server ${loaded.server} not reachable yet (attempt ${attempt}): ${message}`);
        return { ok: false, observed: message };
      }
    }, { timeoutMs, intervalMs: 1000 });
    return result.value;
  } catch (error) {
    throw new Error(`cannot reach the Kubernetes API server at ${loaded.server} (using ${loaded.source}) after ${attempt} attempts: ${errorMessage(error)}`);
  }
}
