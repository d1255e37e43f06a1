// What a provider reads from a kubeconfig it did not write: the API server
// that names the cluster (a run locks it by that name).
import { KubeConfig } from '@kubernetes/client-node';

/** The API server a kubeconfig's current context points at. */
export function apiServerOf(kubeconfigPath: string): string {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfigPath}: the current context names no cluster with a server`);
  return server;
}
