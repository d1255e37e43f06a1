// What a container runs with, the kubelet's way: its environment (envFrom,
// env with $(VAR) expansion and valueFrom, the service variables) and its
// argv (image entrypoint unless `command`, then `args`, both expanded).
// Pure apart from the ConfigMap/Secret lookups, which the caller supplies.
import type { V1Container, V1ObjectFieldSelector, V1Pod } from '@kubernetes/client-node';
import type { LocalImage } from '../images.ts';

/** Reads ConfigMap / Secret data; undefined = the object does not exist. Secret values come decoded. */
export interface ConfigSources {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** The two kinds of object a container's env and volumes read data from. */
export type SourceKind = 'ConfigMap' | 'Secret';

export function readSource(sources: ConfigSources, kind: SourceKind, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  return kind === 'ConfigMap' ? sources.configMap(namespace, name) : sources.secret(namespace, name);
}

/** The apiserver's words for a missing object of that kind. */
export function sourceNotFound(kind: SourceKind, name: string | undefined): string {
  return `${kind === 'ConfigMap' ? 'configmaps' : 'secrets'} "${name}" not found`;
}

/** Facts about the running pod that fieldRef can name. */
export interface PodFacts {
  nodeName: string;
  hostIP: string;
  podIP: string | undefined;
  podIPs: string[];
}

/** Becomes the container's waiting reason CreateContainerConfigError, with this message. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** The variables every container gets for the `kubernetes` Service (like the kubelet's master service env). */
export function kubernetesServiceEnv(host: string, port: number): Record<string, string> {
  const url = `tcp://${host}:${port}`;
  return {
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: String(port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: url,
    [`KUBERNETES_PORT_${port}_TCP`]: url,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: String(port),
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  };
}

/**
 * Kubernetes `$(VAR)` expansion: `$(NAME)` is replaced when NAME resolves and
 * kept verbatim when it does not; `$$` is a literal `$`; anything else is left alone.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}

/** The value of a downward-API fieldRef, as the kubelet formats it. */
export function fieldRefValue(pod: V1Pod, ref: V1ObjectFieldSelector, facts: PodFacts): string {
  const path = ref.fieldPath;
  const meta = pod.metadata ?? {};
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path) ?? /^metadata\.(labels|annotations)\["(.*)"\]$/.exec(path);
  if (subscript) {
    const map = (subscript[1] === 'labels' ? meta.labels : meta.annotations) ?? {};
    return map[subscript[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? facts.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
      return facts.podIP ?? '';
    case 'status.podIPs':
      return facts.podIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath "${path}"`);
  }
}

/** `key="value"` lines, sorted, as in a downwardAPI volume file for metadata.labels/annotations. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/**
 * The container's environment in the kubelet's order: envFrom, then env (each
 * `value` expanded against what came before and the service variables), then
 * the service variables not already set.
 */
export async function resolveEnv(
  pod: V1Pod,
  container: V1Container,
  facts: PodFacts,
  sources: ConfigSources,
  serviceEnv: Record<string, string>,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  // Each object is read once, however many variables name it.
  const cache = new Map<string, Promise<Record<string, string> | undefined>>();
  const read = (kind: SourceKind, name: string) => {
    const key = `${kind}/${name}`;
    if (!cache.has(key)) cache.set(key, readSource(sources, kind, namespace, name));
    return cache.get(key)!;
  };
  /** A configMapKeyRef / secretKeyRef; undefined = optional and missing (the variable is left out). */
  const keyRef = async (kind: SourceKind, ref: { name?: string; key: string; optional?: boolean }): Promise<string | undefined> => {
    const data = await read(kind, ref.name ?? '');
    if (data === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(sourceNotFound(kind, ref.name));
    }
    if (!(ref.key in data)) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`);
    }
    return data[ref.key];
  };

  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const [kind, ref] = from.configMapRef ? (['ConfigMap', from.configMapRef] as const) : (['Secret', from.secretRef] as const);
    if (!ref) continue;
    const data = await read(kind, ref.name ?? '');
    if (data === undefined) {
      if (ref.optional) continue;
      throw new ContainerConfigError(sourceNotFound(kind, ref.name));
    }
    for (const [k, v] of Object.entries(data)) env.set((from.prefix ?? '') + k, v);
  }

  const lookup = (name: string) => env.get(name) ?? serviceEnv[name];
  for (const variable of container.env ?? []) {
    let value = variable.value ?? '';
    const from = variable.valueFrom;
    if (value !== '') {
      value = expandVariables(value, lookup);
    } else if (from?.fieldRef) {
      value = fieldRefValue(pod, from.fieldRef, facts);
    } else if (from?.resourceFieldRef) {
      throw new ContainerConfigError(`env ${variable.name}: resourceFieldRef is not supported by the local node agent`);
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const found = from.configMapKeyRef ? await keyRef('ConfigMap', from.configMapKeyRef) : await keyRef('Secret', from.secretKeyRef!);
      if (found === undefined) continue;
      value = found;
    }
    env.set(variable.name, value);
  }

  const result: Record<string, string> = Object.fromEntries(env);
  for (const [k, v] of Object.entries(serviceEnv)) if (!(k in result)) result[k] = v;
  return result;
}

/**
 * argv per Kubernetes: `command` replaces the image entrypoint, `args` follow;
 * both are $(VAR)-expanded from the container env. A command naming a file of
 * the image (`files`) runs the local program it maps to.
 */
export function resolveArgv(container: V1Container, image: LocalImage, env: Record<string, string>): string[] {
  const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  const expand = (parts: string[] | undefined) => (parts ?? []).map((p) => expandVariables(p, lookup));
  let argv: string[];
  if (container.command && container.command.length > 0) {
    argv = [...imageCommand(image, expand(container.command)), ...expand(container.args)];
  } else {
    argv = [...image.entrypoint, ...expand(container.args)];
  }
  if (argv.length === 0) {
    throw new ContainerConfigError(`container "${container.name}" has no command and its image "${container.image}" has no entrypoint`);
  }
  return argv;
}

/** A command whose first word names a file of the image runs the local program that file maps to. */
export function imageCommand(image: LocalImage | undefined, argv: string[]): string[] {
  const mapped = argv.length > 0 ? image?.files?.[argv[0]] : undefined;
  return mapped ? [mapped, ...argv.slice(1)] : argv;
}
