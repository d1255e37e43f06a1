// Every kind, docker and ip command line the kind provider runs, as pure
// functions returning argv (so their exact forms are unit-tested without
// Docker), plus parsers for what those commands print.

// ---- kind ----

/** The cluster config comes on stdin; the kubeconfig goes to our own file, never ~/.kube/config. */
export function kindCreateClusterArgv(cluster: string, nodeImage: string, kubeconfig: string): string[] {
  return ['kind', 'create', 'cluster', '--name', cluster, '--config', '-', '--image', nodeImage, '--kubeconfig', kubeconfig];
}

export function kindDeleteClusterArgv(cluster: string, kubeconfig?: string): string[] {
  const argv = ['kind', 'delete', 'cluster', '--name', cluster];
  if (kubeconfig) argv.push('--kubeconfig', kubeconfig);
  return argv;
}

export function kindLoadImageArgv(image: string, cluster: string): string[] {
  return ['kind', 'load', 'docker-image', image, '--name', cluster];
}

export function kindGetKubeconfigArgv(cluster: string): string[] {
  return ['kind', 'get', 'kubeconfig', '--name', cluster];
}

export function kindGetClustersArgv(): string[] {
  return ['kind', 'get', 'clusters'];
}

export function kindGetNodesArgv(cluster: string): string[] {
  return ['kind', 'get', 'nodes', '--name', cluster];
}

export function kindExportLogsArgv(cluster: string, dir: string): string[] {
  return ['kind', 'export', 'logs', dir, '--name', cluster];
}

export function kindVersionArgv(): string[] {
  return ['kind', 'version'];
}

/** "kind v0.33.0 go1.25.1 linux/amd64" → "v0.33.0" */
export function parseKindVersion(stdout: string): string {
  const match = /\bv\d+\.\d+\.\d+(?:-[\w.]+)?/.exec(stdout);
  if (!match) throw new Error(`cannot read a version from "kind version" output: ${JSON.stringify(stdout.slice(0, 200))}`);
  return match[0];
}

/** Lines of `kind get clusters` / `kind get nodes`; kind prints "No kind clusters found." on stderr when empty. */
export function parseNameList(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('No kind'));
}

// ---- docker ----

export function dockerNetworkInspectArgv(network: string): string[] {
  return ['docker', 'network', 'inspect', network, '--format', '{{json .IPAM.Config}}'];
}

export function dockerContainerNetworksArgv(container: string): string[] {
  return ['docker', 'container', 'inspect', container, '--format', '{{json .NetworkSettings.Networks}}'];
}

export function dockerExecArgv(container: string, argv: string[]): string[] {
  return ['docker', 'exec', container, ...argv];
}

/** Freezes every process of a node container: kubelet, speaker and pods stop answering. */
export function dockerPauseArgv(container: string): string[] {
  return ['docker', 'pause', container];
}

export function dockerUnpauseArgv(container: string): string[] {
  return ['docker', 'unpause', container];
}

export function dockerRemoveArgv(container: string): string[] {
  return ['docker', 'rm', '--force', '--volumes', container];
}

export function dockerLogsArgv(container: string): string[] {
  return ['docker', 'logs', '--timestamps', container];
}

/** Containers carrying our label, any state: `name<TAB>label value` per line. */
export function dockerListByLabelArgv(label: string): string[] {
  return ['docker', 'ps', '--all', '--filter', `label=${label}`, '--format', `{{.Names}}\t{{.Label "${label}"}}`];
}

export interface Ipv4Subnet {
  subnet: string;
  gateway?: string;
}

/** The IPv4 entry of `docker network inspect --format '{{json .IPAM.Config}}'` (kind networks are dual-stack). */
export function parseIpamConfig(json: string, network: string): Ipv4Subnet {
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    throw new Error(`docker network inspect ${network}: not JSON: ${JSON.stringify(json.slice(0, 200))}`);
  }
  if (!Array.isArray(entries)) throw new Error(`docker network inspect ${network}: IPAM.Config is not a list: ${json.slice(0, 200)}`);
  for (const entry of entries as { Subnet?: string; Gateway?: string }[]) {
    if (entry?.Subnet && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(entry.Subnet)) {
      return entry.Gateway ? { subnet: entry.Subnet, gateway: entry.Gateway } : { subnet: entry.Subnet };
    }
  }
  throw new Error(`docker network ${network} has no IPv4 subnet (IPAM.Config: ${json.slice(0, 200)})`);
}

/** The container's IPv4 address on `network`, from `docker container inspect --format '{{json .NetworkSettings.Networks}}'`. */
export function parseContainerAddress(json: string, container: string, network: string): string {
  let networks: Record<string, { IPAddress?: string }>;
  try {
    networks = JSON.parse(json) as Record<string, { IPAddress?: string }>;
  } catch {
    throw new Error(`docker container inspect ${container}: not JSON: ${JSON.stringify(json.slice(0, 200))}`);
  }
  const address = networks?.[network]?.IPAddress;
  if (!address) {
    throw new Error(`container ${container} has no IPv4 address on network "${network}" (it is on: ${Object.keys(networks ?? {}).join(', ') || 'none'})`);
  }
  return address;
}

/** `name<TAB>value` lines from dockerListByLabelArgv. */
export function parseLabelledContainers(stdout: string): { name: string; value: string }[] {
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [name, value = ''] = line.split('\t');
    return { name: name.trim(), value: value.trim() };
  });
}

// ---- the host's route to the VIPs ----

/** The outside client (this host) reaches the VIP pool only through the TOR container. */
export function hostRouteReplaceArgv(cidr: string, via: string): string[] {
  return ['ip', 'route', 'replace', cidr, 'via', via];
}

export function hostRouteDeleteArgv(cidr: string, via: string): string[] {
  return ['ip', 'route', 'del', cidr, 'via', via];
}

export function hostRouteShowArgv(cidr: string): string[] {
  return ['ip', '-j', 'route', 'show', 'exact', cidr];
}

/** The gateway of `ip -j route show exact CIDR`, if there is such a route. */
export function parseRouteGateway(json: string): string | undefined {
  if (!json.trim()) return undefined;
  const routes = JSON.parse(json) as { gateway?: string }[];
  return routes[0]?.gateway;
}

// ---- images and node containers ----

/** Succeeds only when the image is present in the local Docker engine. */
export function dockerImageInspectArgv(image: string): string[] {
  return ['docker', 'image', 'inspect', '--format', '{{.Id}}', image];
}

/** kind labels every node container with its cluster's name. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

export function dockerPausedNodesArgv(cluster: string): string[] {
  return ['docker', 'ps', '--filter', `label=${KIND_CLUSTER_LABEL}=${cluster}`, '--filter', 'status=paused', '--format', '{{.Names}}'];
}
