// A target's own images on the local provider. The node agents read their
// image table once, from agent.json, when the environment comes up, so a
// target's images must be in it from the start: `vipcheck run` writes them to
// a file named by VIPCHECK_EXTRA_IMAGES before it brings an environment up
// (the supervisor inherits the variable and merges the file into every
// agent.json), and refuses to run on an environment that lacks them.
import { accessSync, constants, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalImage } from './images.ts';

export const EXTRA_IMAGES_ENV = 'VIPCHECK_EXTRA_IMAGES';

/** Where built third-party programs are cached (scripts/build-third-party.sh writes there). */
export function buildCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIPCHECK_CACHE || path.join(os.homedir(), '.cache', 'vipcheck');
}

export class TargetImagesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetImagesError';
  }
}

/**
 * Checks a target's `images` and expands `${NAME}` in its paths from the
 * environment (`${VIPCHECK_CACHE}` defaults to ~/.cache/vipcheck). `source`
 * names the target in errors.
 */
export function resolveTargetImages(value: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Record<string, LocalImage> {
  const fail = (field: string, problem: string): never => {
    throw new TargetImagesError(`${source}: ${field}: ${problem}`);
  };
  if (!isObject(value)) return fail('images', 'must be a map: image repository → { entrypoint, files? }');
  const expand = (text: string, field: string) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = name === 'VIPCHECK_CACHE' ? buildCache(env) : env[name];
      return found ?? fail(field, `\${${name}} is not set in the environment`);
    });
  const images: Record<string, LocalImage> = {};
  for (const [repository, entry] of Object.entries(value)) {
    const field = `images["${repository}"]`;
    if (!isObject(entry)) fail(field, 'must be an object { entrypoint, files? }');
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) if (key !== 'entrypoint' && key !== 'files') fail(`${field}.${key}`, 'unknown field (known: entrypoint, files)');
    if (!Array.isArray(e.entrypoint) || e.entrypoint.length === 0 || e.entrypoint.some((p) => typeof p !== 'string' || !p)) {
      fail(`${field}.entrypoint`, 'must be a non-empty list of strings');
    }
    const image: LocalImage = { entrypoint: (e.entrypoint as string[]).map((p, i) => expand(p, `${field}.entrypoint[${i}]`)) };
    if (e.files !== undefined) {
      if (!isObject(e.files)) fail(`${field}.files`, 'must be a map: path in the image → local path');
      image.files = {};
      for (const [inImage, local] of Object.entries(e.files as Record<string, unknown>)) {
        if (typeof local !== 'string' || !local) fail(`${field}.files["${inImage}"]`, 'must be a non-empty string');
        image.files[inImage] = expand(local as string, `${field}.files["${inImage}"]`);
      }
    }
    images[repository] = image;
  }
  return images;
}

/** Programs named by absolute path that are missing or not executable, as "repository: path". */
export function missingPrograms(images: Record<string, LocalImage>): string[] {
  const missing: string[] = [];
  for (const [repository, image] of Object.entries(images)) {
    for (const program of [image.entrypoint[0], ...Object.values(image.files ?? {})]) {
      if (!path.isAbsolute(program)) continue;
      try {
        accessSync(program, constants.X_OK);
      } catch {
        missing.push(`${repository}: ${program}`);
      }
    }
  }
  return missing;
}

/** The image table of a running environment, as its first node agent got it (undefined when none is written). */
export function runningImageTable(runDir: string): Record<string, LocalImage> | undefined {
  const nodes = path.join(runDir, 'nodes');
  const first = existsSync(nodes) ? readdirSync(nodes).sort()[0] : undefined;
  const file = first && path.join(nodes, first, 'agent.json');
  if (!file || !existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { images?: Record<string, LocalImage> }).images ?? {};
}

/** Repositories of `wanted` that `table` lacks or maps to another program. */
export function imagesNotIn(wanted: Record<string, LocalImage>, table: Record<string, LocalImage>): string[] {
  return Object.keys(wanted).filter((r) => JSON.stringify(table[r]) !== JSON.stringify(wanted[r]));
}

/** The extra images the supervisor merges into every agent.json (none when VIPCHECK_EXTRA_IMAGES is unset). */
export function readExtraImages(env: NodeJS.ProcessEnv = process.env): Record<string, LocalImage> {
  const file = env[EXTRA_IMAGES_ENV];
  if (!file) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TargetImagesError(`${EXTRA_IMAGES_ENV}=${file}: ${(error as Error).message}`);
  }
  return resolveTargetImages(value, `${EXTRA_IMAGES_ENV}=${file}`, env);
}

/**
 * Before `run` on the local provider: the target's images must be in the
 * running environment's table; with no environment up, they are handed to the
 * one `run` is about to start (merged with any VIPCHECK_EXTRA_IMAGES the user set).
 */
export function prepareTargetImages(
  target: { name: string; images?: unknown },
  environment: { runDir: string; up: boolean },
  options: { env?: NodeJS.ProcessEnv; file?: string; log?: (line: string) => void } = {},
): void {
  if (target.images === undefined) return;
  const env = options.env ?? process.env;
  const images = resolveTargetImages(target.images, `target ${target.name}`, env);
  const missing = missingPrograms(images);
  if (missing.length) {
    throw new TargetImagesError(`target ${target.name}: the programs of its images are not there (build them first; for this repo's third-party targets: npm run build:third-party): ${missing.join('; ')}`);
  }
  if (environment.up) {
    const table = runningImageTable(environment.runDir) ?? {};
    const absent = imagesNotIn(images, table);
    if (absent.length) {
      throw new TargetImagesError(`target ${target.name}: the running local environment was started without its images (${absent.join(', ')}); ` +
        'run "vipcheck down" first: "vipcheck run" then starts an environment that has them');
    }
    return;
  }
  const merged = { ...readExtraImages(env), ...images };
  const file = options.file ?? path.join(os.tmpdir(), 'vc-target-images.json');
  writeFileSync(file, JSON.stringify(merged, null, 2));
  env[EXTRA_IMAGES_ENV] = file;
  options.log?.(`local environment: adding the images of target ${target.name} (${Object.keys(images).join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
