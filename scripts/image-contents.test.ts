// Every image carries exactly what its program imports: the import closure
// of its entry point lies inside the folders its Dockerfile copies, and the
// reference implementations' images copy impl/ and lib/ only (they stand
// alone, without the harness).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { importsOf } from './check-layers.ts';

/** The repo folders and files a Dockerfile COPYs from the build context (not from another stage). */
function copiedSources(dockerfile: string): string[] {
  return readFileSync(path.join(REPO_ROOT, dockerfile), 'utf8').split('\n')
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => line.replace(/^COPY\s+(--\S+\s+)*/, '').trim().split(/\s+/).slice(0, -1))
    .map((source) => source.replace(/^\.\//, ''));
}

/** Every repo file a module imports, directly or not (itself included). */
function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const edge of importsOf(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'))) visit(edge.to);
  };
  visit(entry);
  return [...seen].sort();
}

const inside = (file: string, sources: string[]) => sources.some((s) => (s.endsWith('/') ? file.startsWith(s) : file === s));

describe.each([
  ['fixtures/images/echo.Dockerfile', 'impl/echo/main.ts'],
  ['fixtures/images/proxy.Dockerfile', 'impl/proxy/main.ts'],
  ['fixtures/images/speaker.Dockerfile', 'impl/speaker/main.ts'],
  ['fixtures/images/tor.Dockerfile', 'harness/tor/route-sync.ts'],
])('%s', (dockerfile, entry) => {
  const sources = copiedSources(dockerfile);
  const closure = importClosure(entry);

  it(`copies every file ${entry} imports`, () => {
    expect(closure.length).toBeGreaterThan(1);
    for (const file of closure) expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
    expect(closure.filter((file) => !inside(file, sources))).toEqual([]);
  });

  if (entry.startsWith('impl/')) {
    it('copies nothing but lib/ and impl/ of ours', () => {
      const ours = sources.filter((s) => !['package.json', 'package-lock.json'].includes(s));
      expect(ours.filter((s) => !s.startsWith('lib/') && !s.startsWith('impl/'))).toEqual([]);
    });
  }
});
