// The local provider runs no containers: a Pod's image names a local
// program through this one explicit table. An image that is not here fails
// the Pod the way a real kubelet reports an image it cannot pull.
import path from 'node:path';
import { REPO_ROOT } from '../../../lib/repo-root.ts';


/** How to start a container of this image: its entrypoint, like an image's ENTRYPOINT. */
export interface LocalImage {
  /** argv prefix; container `args` are appended. Absolute paths or names on PATH. */
  entrypoint: string[];
  /**
   * Paths inside the "image" that a container `command` may name (e.g.
   * "/traefik"), mapped to local programs. A `command` not listed here runs as given.
   */
  files?: Record<string, string>;
}

/** The node binary this repo runs on (Node 24 from node_modules when the system's is older). */
export const NODE = process.execPath;

function nodeEntry(script: string): LocalImage {
  return { entrypoint: [NODE, path.join(REPO_ROOT, script)] };
}

/** Images of this repo. Keyed by repository without tag: any tag of these maps to the working tree. */
export const BUILTIN_IMAGES: Record<string, LocalImage> = {
  'vipcheck/echo': nodeEntry('impl/echo/main.ts'),
  'vipcheck/proxy': nodeEntry('impl/proxy/main.ts'),
  'vipcheck/speaker': nodeEntry('impl/speaker/main.ts'),
};

/** Strips the tag and digest and a docker.io/library prefix: "docker.io/vipcheck/echo:0.1.0" → "vipcheck/echo". */
export function imageRepository(image: string): string {
  let name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) name = name.slice(0, colon);
  return name.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

export function resolveImage(image: string, table: Record<string, LocalImage> = BUILTIN_IMAGES): LocalImage | undefined {
  return table[imageRepository(image)];
}
