import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { readPackageVersion } from '../harness/providers/kind/versions.ts';
import { planBuilds } from './build-images.ts';

const SCRIPT = path.join(REPO_ROOT, 'scripts/build-images.ts');

describe('build-images plan', () => {
  it('builds all four images with the given version, each from its Dockerfile', () => {
    expect(planBuilds({ version: '0.1.0' })).toEqual([
      { image: 'vipcheck/proxy:0.1.0', argv: ['docker', 'build', '-t', 'vipcheck/proxy:0.1.0', '-f', 'fixtures/images/proxy.Dockerfile', '.'] },
      { image: 'vipcheck/speaker:0.1.0', argv: ['docker', 'build', '-t', 'vipcheck/speaker:0.1.0', '-f', 'fixtures/images/speaker.Dockerfile', '.'] },
      { image: 'vipcheck/echo:0.1.0', argv: ['docker', 'build', '-t', 'vipcheck/echo:0.1.0', '-f', 'fixtures/images/echo.Dockerfile', '.'] },
      { image: 'vipcheck/tor:0.1.0', argv: ['docker', 'build', '-t', 'vipcheck/tor:0.1.0', '-f', 'fixtures/images/tor.Dockerfile', '.'] },
    ]);
  });

  it('builds a subset, and names the unknown image', () => {
    expect(planBuilds({ version: '1.2.3', only: ['echo'] }).map((b) => b.image)).toEqual(['vipcheck/echo:1.2.3']);
    expect(() => planBuilds({ version: '1.2.3', only: ['echo', 'nginx'] })).toThrow('--only: unknown image "nginx" (known: proxy, speaker, echo, tor)');
  });
});

describe('build-images script', () => {
  it('prints the commands with --dry-run, tagged with package.json\'s version', async () => {
    const version = readPackageVersion();
    const result = await execa(process.execPath, [SCRIPT, '--dry-run', '--only', 'proxy'], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`docker build -t vipcheck/proxy:${version} -f fixtures/images/proxy.Dockerfile .`);
  });

  it('fails in one line, fast, with a non-zero exit when no Docker engine answers', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-build-images-'));
    try {
      const started = performance.now();
      const result = await execa(process.execPath, [SCRIPT], {
        reject: false,
        env: { DOCKER_HOST: `unix://${dir}/absent.sock`, DOCKER_CONTEXT: '' },
      });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^build-images: no Docker engine answers \(.*absent\.sock.*\); building images needs Docker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
