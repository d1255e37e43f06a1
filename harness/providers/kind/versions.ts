// The pins the kind provider runs on, read from their one place:
// versions.json (Kubernetes, kind, the node image) and package.json (the tag
// of this repo's images). A missing or malformed pin names the file and field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../lib/repo-root.ts';

export interface KindVersions {
  /** e.g. v1.37.0 */
  kubernetes: string;
  /** e.g. v0.33.0 */
  kindVersion: string;
  /** kindest/node:vX.Y.Z@sha256:… */
  kindNodeImage: string;
}

export const VERSIONS_FILE = path.join(REPO_ROOT, 'versions.json');
export const PACKAGE_FILE = path.join(REPO_ROOT, 'package.json');

/** Checks the parsed versions.json; `source` names the file in errors. */
export function parseKindVersions(value: unknown, source: string): KindVersions {
  if (!value || typeof value !== 'object') throw new Error(`${source}: expected a JSON object`);
  const v = value as Record<string, unknown>;
  const field = (name: keyof KindVersions, pattern: RegExp, example: string): string => {
    const got = v[name];
    if (typeof got !== 'string' || !pattern.test(got)) {
      throw new Error(`${source}: field "${name}" must look like ${example}, got ${JSON.stringify(got)}`);
    }
    return got;
  };
  return {
    kubernetes: field('kubernetes', /^v\d+\.\d+\.\d+$/, 'v1.37.0'),
    kindVersion: field('kindVersion', /^v\d+\.\d+\.\d+$/, 'v0.33.0'),
    // A digest pins the image's content; a tag alone could move.
    kindNodeImage: field('kindNodeImage', /^[\w./-]+:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/, 'kindest/node:v1.37.0@sha256:<64 hex>'),
  };
}

export function readKindVersions(file = VERSIONS_FILE): KindVersions {
  return parseKindVersions(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** package.json's version: the tag of vipcheck/proxy, /speaker, /echo and /tor. */
export function readPackageVersion(file = PACKAGE_FILE): string {
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || !/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(pkg.version)) {
    throw new Error(`${file}: field "version" must be a semantic version, got ${JSON.stringify(pkg.version)}`);
  }
  return pkg.version;
}
