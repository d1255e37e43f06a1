// From a container's spec to what starts its process: the resolved argv and
// environment (container-spec.ts), the bind mounts of its volumes and
// credentials (pod-volumes.ts), the pod's hostname and network namespace.
// The process environment is the container's alone plus the few variables
// a program expects from any container runtime.
import { existsSync } from 'node:fs';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../../../lib/repo-root.ts';
import type { LocalImage } from '../images.ts';
import type { ContainerLaunch } from './container-runner.ts';
import { kubernetesServiceEnv, resolveArgv, resolveEnv, type ConfigSources, type PodFacts } from './container-spec.ts';
import { containerMounts, type PreparedVolume } from './pod-volumes.ts';
import type { PodCredentials } from './service-account.ts';

/** What the pod has ready before any of its containers starts. */
export interface PodLaunchContext {
  pod: V1Pod;
  nodeName: string;
  kubernetesServiceHost: string;
  kubernetesServicePort: number;
  facts: PodFacts;
  sources: ConfigSources;
  volumes: Map<string, PreparedVolume>;
  credentials: PodCredentials | undefined;
  /** The pod's network namespace; undefined for hostNetwork pods. */
  netns: string | undefined;
}

/** The pod's hostname: the node's for hostNetwork pods, else spec.hostname or the pod name (at most 63 characters). */
export function podHostname(pod: V1Pod, nodeName: string): string {
  if (pod.spec?.hostNetwork) return nodeName;
  return (pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63);
}

/** Everything ContainerProcess needs to start one run of `container`; throws ContainerConfigError/VolumeError when it cannot be built. */
export async function containerLaunch(container: V1Container, image: LocalImage, ctx: PodLaunchContext, logFile: string): Promise<ContainerLaunch> {
  const { pod } = ctx;
  const env = await resolveEnv(pod, container, ctx.facts, ctx.sources, kubernetesServiceEnv(ctx.kubernetesServiceHost, ctx.kubernetesServicePort));
  const argv = resolveArgv(container, image, env);
  const mounts = containerMounts(pod, container, ctx.volumes, ctx.credentials?.dir);
  const hostname = podHostname(pod, ctx.nodeName);
  const processEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    HOSTNAME: hostname,
    ...(ctx.credentials ? { KUBECONFIG: ctx.credentials.kubeconfig } : {}),
    ...env,
  };
  return {
    argv,
    env: processEnv,
    netns: ctx.netns,
    mounts,
    hostname,
    workingDir: container.workingDir && existsSync(container.workingDir) ? container.workingDir : undefined,
    fallbackDir: REPO_ROOT,
    logFile,
  };
}
