// The container images of this repo: the three the cluster runs (loaded into
// kind) and the TOR that runs beside it. One table, used by
// scripts/build-images.ts and by the kind provider, so names, tags and
// Dockerfiles cannot drift apart.
export type ImageName = 'proxy' | 'speaker' | 'echo' | 'tor';

export interface ImageSpec {
  name: ImageName;
  /** Repository without tag, e.g. vipcheck/proxy. */
  repository: string;
  /** Relative to the repository root, which is also the build context. */
  dockerfile: string;
  /** True for the images Pods run: they are `kind load`ed into the nodes. */
  loadIntoCluster: boolean;
}

export const IMAGES: readonly ImageSpec[] = [
  { name: 'proxy', repository: 'vipcheck/proxy', dockerfile: 'fixtures/images/proxy.Dockerfile', loadIntoCluster: true },
  { name: 'speaker', repository: 'vipcheck/speaker', dockerfile: 'fixtures/images/speaker.Dockerfile', loadIntoCluster: true },
  { name: 'echo', repository: 'vipcheck/echo', dockerfile: 'fixtures/images/echo.Dockerfile', loadIntoCluster: true },
  { name: 'tor', repository: 'vipcheck/tor', dockerfile: 'fixtures/images/tor.Dockerfile', loadIntoCluster: false },
];

export function imageSpec(name: ImageName): ImageSpec {
  const spec = IMAGES.find((i) => i.name === name);
  if (!spec) throw new Error(`unknown image "${name}" (known: ${IMAGES.map((i) => i.name).join(', ')})`);
  return spec;
}

/** vipcheck/proxy + 0.1.0 → vipcheck/proxy:0.1.0 */
export function imageRef(spec: ImageSpec, version: string): string {
  return `${spec.repository}:${version}`;
}

export interface BuildOptions {
  /** Overrides the Dockerfiles' base image, e.g. to pin it by digest: node:24-bookworm-slim@sha256:… */
  nodeImage?: string;
}

/** `docker build` of one image; run it with the repository root as working directory. */
export function dockerBuildArgv(spec: ImageSpec, version: string, options: BuildOptions = {}): string[] {
  const argv = ['docker', 'build', '-t', imageRef(spec, version), '-f', spec.dockerfile];
  if (options.nodeImage) argv.push('--build-arg', `NODE_IMAGE=${options.nodeImage}`);
  argv.push('.');
  return argv;
}
