// What the kind provider needs from the machine, for `vipcheck doctor`:
// a Docker engine, kind at the pinned version, this repo's images, and (for
// traffic to VIPs from this host) root on Linux.
import type { Check } from '../provider.ts';
import { run } from '../../../lib/exec.ts';
import { dockerImageInspectArgv } from './commands.ts';
import { dockerAvailable } from './docker.ts';
import { IMAGES, imageRef } from './images.ts';
import { kindVersion } from './kind-provider.ts';
import { readKindVersions, readPackageVersion } from './versions.ts';

export async function kindDoctorChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const docker = await dockerAvailable();
  checks.push({
    name: 'docker',
    ok: docker.ok,
    detail: docker.ok ? `engine ${docker.detail}` : docker.detail,
    fix: 'install Docker Engine and start it (https://docs.docker.com/engine/install/); the local provider needs no Docker',
  });
  const pinned = readKindVersions().kindVersion;
  const kind = await kindVersion();
  checks.push({
    name: 'kind',
    ok: kind === pinned,
    detail: kind ? `${kind} (versions.json pins ${pinned})` : 'not found',
    fix: `install kind ${pinned}: go install sigs.k8s.io/kind@${pinned}, or https://kind.sigs.k8s.io/dl/${pinned}/kind-linux-amd64`,
  });
  const version = readPackageVersion();
  for (const spec of IMAGES) {
    const image = imageRef(spec, version);
    const present = docker.ok && (await run(dockerImageInspectArgv(image), { reject: false, timeoutMs: 10_000 })).exitCode === 0;
    checks.push({
      name: `image ${spec.name}`,
      ok: present,
      detail: docker.ok ? `${image} ${present ? 'built' : 'missing'}` : `${image}: cannot tell without Docker`,
      fix: 'npm run build:images',
    });
  }
  const routeable = process.platform === 'linux' && process.getuid?.() === 0;
  checks.push({
    name: 'VIP route',
    ok: routeable,
    detail: routeable ? 'root on Linux: the host routes the VIP pool through the TOR container' : `${process.platform}, uid ${process.getuid?.() ?? '?'}`,
    fix: 'run as root on Linux, so this host can route the VIP pool through the TOR container (without it, scenarios that send traffic to VIPs cannot reach them)',
  });
  return checks;
}
