// The images as files: tags and build commands, and for every Dockerfile a
// check that what its entrypoint imports is actually copied into the image
// (and sent in the build context), without running Docker.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { IMAGES, dockerBuildArgv, imageRef, imageSpec } from './images.ts';
import { readPackageVersion } from './versions.ts';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('image names and build commands', () => {
  const version = readPackageVersion();

  it('tags every image with package.json\'s version', () => {
    expect(IMAGES.map((i) => imageRef(i, version))).toEqual([
      `vipcheck/proxy:${version}`, `vipcheck/speaker:${version}`, `vipcheck/echo:${version}`, `vipcheck/tor:${version}`,
    ]);
    expect(IMAGES.filter((i) => i.loadIntoCluster).map((i) => i.name)).toEqual(['proxy', 'speaker', 'echo']);
  });

  it('builds from the repository root with the image\'s Dockerfile', () => {
    expect(dockerBuildArgv(imageSpec('proxy'), '0.1.0')).toEqual(['docker', 'build', '-t', 'vipcheck/proxy:0.1.0', '-f', 'fixtures/images/proxy.Dockerfile', '.']);
    expect(dockerBuildArgv(imageSpec('tor'), '0.1.0', { nodeImage: 'node:24-bookworm-slim@sha256:abc' })).toEqual([
      'docker', 'build', '-t', 'vipcheck/tor:0.1.0', '-f', 'fixtures/images/tor.Dockerfile', '--build-arg', 'NODE_IMAGE=node:24-bookworm-slim@sha256:abc', '.',
    ]);
    expect(() => imageSpec('nope' as never)).toThrow('unknown image "nope" (known: proxy, speaker, echo, tor)');
  });
});

/** Relative .ts files reachable from `entry` through static and dynamic imports. */
function importClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  const visit = (file: string) => {
    if (files.has(file)) return;
    if (!existsSync(path.join(REPO_ROOT, file))) throw new Error(`${file} does not exist`);
    files.add(file);
    for (const m of read(file).matchAll(pattern)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

interface Dockerfile {
  nodeImageDefault: string | undefined;
  copied: string[];
  user: string | undefined;
  entrypoint: string[];
}

function readDockerfile(file: string): Dockerfile {
  const text = read(file);
  const copied: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^COPY\s+(.*)$/.exec(line.trim());
    if (!m || m[1].includes('--from=')) continue;
    const args = m[1].split(/\s+/).filter((a) => !a.startsWith('--'));
    copied.push(...args.slice(0, -1));
  }
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text);
  return {
    nodeImageDefault: /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1],
    copied,
    user: /^USER\s+(\S+)$/m.exec(text)?.[1],
    entrypoint: entry ? (JSON.parse(entry[1]) as string[]) : [],
  };
}

const dockerignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const allowed = dockerignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\*\*$/, ''));
const isSent = (file: string) => allowed.some((a) => file === a || (a.endsWith('/') && file.startsWith(a)));
const isCopied = (df: Dockerfile, file: string) => df.copied.some((c) => file === c || (c.endsWith('/') && file.startsWith(c)));

describe('Dockerfiles', () => {
  const versions = JSON.parse(read('versions.json')) as { node: string };
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };

  it('sends only an allowlist as build context and never tests or node_modules', () => {
    expect(dockerignore[0]).toBe('**');
    expect(dockerignore).toContain('**/*.test.ts');
    expect(dockerignore).toContain('**/node_modules');
  });

  for (const spec of IMAGES) {
    describe(spec.repository, () => {
      const df = readDockerfile(spec.dockerfile);

      it('starts from the Node major of versions.json, overridable to pin a digest', () => {
        expect(df.nodeImageDefault).toBe(`node:${versions.node}-bookworm-slim`);
      });

      it('copies only files the build context sends', () => {
        expect(df.copied.length).toBeGreaterThan(0);
        for (const source of df.copied) expect(isSent(source), `${source} is not allowlisted in .dockerignore`).toBe(true);
      });

      const program = spec.name === 'tor' ? 'harness/tor/route-sync.ts' : `impl/${spec.name}/main.ts`;
      it(`contains everything ${program} imports, and its packages are production dependencies`, () => {
        const { files, packages } = importClosure(program);
        for (const file of files) {
          expect(isCopied(df, file), `${file} (imported by ${program}) is not copied into ${spec.repository}`).toBe(true);
          expect(isSent(file) && !file.endsWith('.test.ts'), `${file} is not in the build context`).toBe(true);
        }
        for (const name of packages) expect(pkg.dependencies[name], `${name} must be a dependency, not a devDependency`).toBeDefined();
      });

      if (spec.name === 'tor') {
        it('runs the entrypoint script, which starts gobgpd and route-sync from the image\'s paths', () => {
          expect(df.entrypoint).toEqual(['/usr/local/bin/tor-entrypoint']);
          const script = read('fixtures/images/tor-entrypoint.sh');
          expect(script).toContain('harness/tor/route-sync.ts" --api-port "$api_port"');
          expect(script).toContain('gobgpd -f "$config" --api-hosts "127.0.0.1:$api_port"');
        });
      } else {
        it('runs its entrypoint with node as a non-root user', () => {
          expect(df.entrypoint).toEqual(['node', program]);
          expect(df.user).toBe('1000:1000');
        });
      }
    });
  }
});
