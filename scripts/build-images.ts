// Builds this repo's images with the docker CLI, tagged with package.json's
// version: vipcheck/proxy, vipcheck/speaker, vipcheck/echo and vipcheck/tor.
//
//   node scripts/build-images.ts [--only proxy,echo] [--dry-run] [--node-image IMAGE]
//
// --dry-run prints the commands without running them (no Docker needed).
// --node-image (or VIPCHECK_NODE_IMAGE) overrides the base image, e.g. to
// pin it by digest. Without a Docker engine it fails at once, in one line.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { IMAGES, dockerBuildArgv, imageRef, type ImageName } from '../harness/providers/kind/images.ts';
import { readPackageVersion } from '../harness/providers/kind/versions.ts';
import { NoDockerError, requireDocker } from '../harness/providers/kind/docker.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';

export interface PlannedBuild {
  image: string;
  argv: string[];
}

export interface PlanOptions {
  version: string;
  only?: string[];
  nodeImage?: string;
}

export function planBuilds(options: PlanOptions): PlannedBuild[] {
  const known = IMAGES.map((i) => i.name);
  for (const name of options.only ?? []) {
    if (!known.includes(name as ImageName)) throw new Error(`--only: unknown image "${name}" (known: ${known.join(', ')})`);
  }
  return IMAGES.filter((spec) => !options.only || options.only.includes(spec.name)).map((spec) => ({
    image: imageRef(spec, options.version),
    argv: dockerBuildArgv(spec, options.version, { nodeImage: options.nodeImage }),
  }));
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'node-image': { type: 'string' },
    },
  });
  const builds = planBuilds({
    version: readPackageVersion(),
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
    nodeImage: values['node-image'] ?? (process.env.VIPCHECK_NODE_IMAGE || undefined),
  });
  if (values['dry-run']) {
    for (const build of builds) console.log(build.argv.join(' '));
    return 0;
  }
  const engine = await requireDocker();
  console.log(`build-images: Docker engine ${engine}; building ${builds.map((b) => b.image).join(', ')} in ${REPO_ROOT}`);
  for (const build of builds) {
    const started = performance.now();
    console.log(`$ ${build.argv.join(' ')}`);
    const result = await execa(build.argv[0], build.argv.slice(1), { cwd: REPO_ROOT, stdio: 'inherit', reject: false });
    if (result.exitCode !== 0) {
      console.error(`build-images: ${build.image} failed (exit ${result.exitCode ?? 'signal'})`);
      return 1;
    }
    console.log(`build-images: ${build.image} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof NoDockerError
      ? `no Docker engine answers (${error.detail}); building images needs Docker — start Docker (the local provider needs no images)`
      : (error as Error).message;
    console.error(`build-images: ${message}`);
    process.exitCode = 1;
  }
}
