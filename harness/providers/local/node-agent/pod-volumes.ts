// Pod volumes the local provider can give without a container runtime:
// emptyDir, hostPath, configMap, secret, downwardAPI and projected (which is
// how the ServiceAccount admission plugin mounts the token). Each volume is
// a directory under the pod's directory, written once when the pod starts;
// containers get them through bind mounts in their own mount namespace.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1Container, V1KeyToPath, V1Pod, V1Volume, V1VolumeProjection } from '@kubernetes/client-node';
import { fieldRefValue, readSource, sourceNotFound, type ConfigSources, type PodFacts, type SourceKind } from './container-spec.ts';
import type { BindMount } from './container-runner.ts';
import { SERVICE_ACCOUNT_PATH, type PodCredentials } from './service-account.ts';

/** A volume the agent cannot provide, or whose source is missing: the pod waits in ContainerCreating with this message. */
export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

export interface PreparedVolume {
  hostPath: string;
  /** hostPath volumes of type File / FileOrCreate are files. */
  file?: boolean;
}

/** Whether the pod needs a ServiceAccount token (a projected token source, or automount without an injected volume). */
export function needsServiceAccountToken(pod: V1Pod): boolean {
  const projectsToken = (pod.spec?.volumes ?? []).some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken));
  return projectsToken || automountFallback(pod);
}

/**
 * The ServiceAccount admission plugin normally injects a kube-api-access-*
 * projected volume mounted at the in-cluster path. When it did not (plugin
 * off) and the pod does not opt out, the agent mounts the credentials itself.
 */
export function automountFallback(pod: V1Pod): boolean {
  if (pod.spec?.automountServiceAccountToken === false) return false;
  return !(pod.spec?.volumes ?? []).some((v) => v.name.startsWith('kube-api-access-'));
}

/** Relative item paths must stay inside the volume. */
function safeRelative(volume: string, p: string): string {
  const normal = path.posix.normalize(p);
  if (path.posix.isAbsolute(normal) || normal.startsWith('..')) throw new VolumeError(`volume "${volume}": item path "${p}" leaves the volume`);
  return normal;
}

async function writeItems(volume: string, dir: string, data: Record<string, string | Buffer>, items: V1KeyToPath[] | undefined, what: string, optional: boolean): Promise<void> {
  const entries: [string, string | Buffer][] = [];
  if (items && items.length > 0) {
    for (const item of items) {
      if (!(item.key in data)) {
        if (optional) continue;
        throw new VolumeError(`volume "${volume}": ${what} has no key "${item.key}"`);
      }
      entries.push([safeRelative(volume, item.path), data[item.key]]);
    }
  } else {
    for (const [key, value] of Object.entries(data)) entries.push([safeRelative(volume, key), value]);
  }
  for (const [relative, value] of entries) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, value);
  }
}

export interface VolumeContext {
  pod: V1Pod;
  podDir: string;
  facts: PodFacts;
  sources: ConfigSources;
  /** Host path of the pod's ServiceAccount token file (for projected token sources). */
  tokenFile: string | undefined;
}

/** What a pod's containers mount: its volumes and, when it needs them, its ServiceAccount credentials. */
export interface PodFiles {
  volumes: Map<string, PreparedVolume>;
  credentials: PodCredentials | undefined;
}

/** Gets the credentials first when the pod needs a token (projected token sources link to its file), then the volumes. */
export async function preparePodFiles(
  ctx: Omit<VolumeContext, 'tokenFile'>,
  serviceAccounts: { provide(pod: V1Pod, podDir: string): Promise<PodCredentials> },
): Promise<PodFiles> {
  const credentials = needsServiceAccountToken(ctx.pod) ? await serviceAccounts.provide(ctx.pod, ctx.podDir) : undefined;
  const volumes = await prepareVolumes({ ...ctx, tokenFile: credentials ? path.join(credentials.dir, 'token') : undefined });
  return { volumes, credentials };
}

/** Materialises every volume of the pod; returns volume name → where it lives on the host. */
export async function prepareVolumes(ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
  const prepared = new Map<string, PreparedVolume>();
  for (const volume of ctx.pod.spec?.volumes ?? []) prepared.set(volume.name, await prepareVolume(volume, ctx));
  return prepared;
}

async function prepareVolume(volume: V1Volume, ctx: VolumeContext): Promise<PreparedVolume> {
  const namespace = ctx.pod.metadata?.namespace ?? 'default';
  if (volume.hostPath) {
    const type = volume.hostPath.type ?? '';
    if (type === 'DirectoryOrCreate') await mkdir(volume.hostPath.path, { recursive: true });
    return { hostPath: volume.hostPath.path, file: type === 'File' || type === 'FileOrCreate' };
  }
  const dir = path.join(ctx.podDir, 'volumes', volume.name);
  if (volume.emptyDir) {
    await mkdir(dir, { recursive: true });
    return { hostPath: dir };
  }
  // Content volumes are written afresh: a restarted agent must not serve stale data.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const sources = contentSources(volume);
  if (!sources) {
    const kind = Object.keys(volume).filter((k) => k !== 'name').join(', ');
    throw new VolumeError(`volume "${volume.name}": type ${kind || '(none)'} is not supported by the local node agent`);
  }
  const write = (kind: SourceKind, name: string | undefined, from: { items?: V1KeyToPath[]; optional?: boolean }) =>
    writeSource(volume.name, dir, ctx, { kind, namespace, name: name ?? '' }, from.items, from.optional ?? false);
  for (const source of sources) {
    if (source.configMap) {
      await write('ConfigMap', source.configMap.name, source.configMap);
    } else if (source.secret) {
      await write('Secret', source.secret.name, source.secret);
    } else if (source.downwardAPI) {
      await writeDownward(volume.name, dir, source.downwardAPI.items ?? [], ctx);
    } else if (source.serviceAccountToken) {
      if (!ctx.tokenFile) throw new VolumeError(`volume "${volume.name}": no ServiceAccount token available`);
      // A link, not a copy: renewals of the token reach the container.
      const link = path.join(dir, safeRelative(volume.name, source.serviceAccountToken.path));
      await mkdir(path.dirname(link), { recursive: true });
      await symlink(ctx.tokenFile, link);
    } else {
      throw new VolumeError(`volume "${volume.name}": projected source ${Object.keys(source).join(', ')} is not supported by the local node agent`);
    }
  }
  return { hostPath: dir };
}

/** What a content volume is made of: a configMap, secret or downwardAPI volume is a projected volume of one source. */
function contentSources(volume: V1Volume): V1VolumeProjection[] | undefined {
  if (volume.configMap) return [{ configMap: volume.configMap }];
  if (volume.secret) return [{ secret: { name: volume.secret.secretName, items: volume.secret.items, optional: volume.secret.optional } }];
  if (volume.downwardAPI) return [{ downwardAPI: volume.downwardAPI }];
  if (volume.projected) return volume.projected.sources ?? [];
  return undefined;
}

/** Writes a ConfigMap's or Secret's data (all keys, or the chosen items) into the volume; a missing optional one writes nothing. */
async function writeSource(
  volume: string,
  dir: string,
  ctx: VolumeContext,
  source: { kind: SourceKind; namespace: string; name: string },
  items: V1KeyToPath[] | undefined,
  optional: boolean,
): Promise<void> {
  const data = await readSource(ctx.sources, source.kind, source.namespace, source.name);
  if (data === undefined) {
    if (!optional) throw new VolumeError(sourceNotFound(source.kind, source.name));
    return;
  }
  await writeItems(volume, dir, data, items, `${source.kind} ${source.namespace}/${source.name}`, optional);
}

async function writeDownward(volume: string, dir: string, items: { path: string; fieldRef?: { fieldPath: string } }[], ctx: VolumeContext): Promise<void> {
  for (const item of items) {
    if (!item.fieldRef) throw new VolumeError(`volume "${volume}": downwardAPI item "${item.path}" uses resourceFieldRef, which is not supported`);
    const file = path.join(dir, safeRelative(volume, item.path));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, fieldRefValue(ctx.pod, item.fieldRef, ctx.facts));
  }
}

/** The bind mounts of one container: its volumeMounts, plus the ServiceAccount fallback. */
export function containerMounts(pod: V1Pod, container: V1Container, volumes: Map<string, PreparedVolume>, serviceAccountDir: string | undefined): BindMount[] {
  const mounts: BindMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    if (!volume) throw new VolumeError(`container "${container.name}" mounts volume "${m.name}", which the pod does not define`);
    if (m.subPath) {
      const source = path.join(volume.hostPath, safeRelative(m.name, m.subPath));
      mounts.push({ source, target: m.mountPath, readOnly: m.readOnly ?? false, file: !source.endsWith('/') && isFileSubPath(pod, m.name) });
    } else {
      mounts.push({ source: volume.hostPath, target: m.mountPath, readOnly: m.readOnly ?? false, file: volume.file });
    }
  }
  if (serviceAccountDir && automountFallback(pod) && !mounts.some((m) => m.target === SERVICE_ACCOUNT_PATH)) {
    mounts.push({ source: serviceAccountDir, target: SERVICE_ACCOUNT_PATH, readOnly: true });
  }
  return mounts;
}

/** subPath into a content volume names a file (a config file mounted alone); into emptyDir/hostPath, a directory. */
function isFileSubPath(pod: V1Pod, volumeName: string): boolean {
  const volume = pod.spec?.volumes?.find((v) => v.name === volumeName);
  return Boolean(volume && (volume.configMap || volume.secret || volume.projected || volume.downwardAPI));
}
