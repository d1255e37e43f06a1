// The CI gate as a contract: the kind job takes its versions from
// versions.json, builds the images before the run, runs the reference target
// on the kind provider, and uploads report.json and junit.xml whatever happened.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../lib/repo-root.ts';

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Job { 'runs-on': string; steps: Step[]; 'timeout-minutes': number }

const text = readFileSync(path.join(REPO_ROOT, '.github/workflows/conformance.yml'), 'utf8');
const workflow = parse(text) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const versions = JSON.parse(readFileSync(path.join(REPO_ROOT, 'versions.json'), 'utf8')) as Record<string, string>;

function indexOf(job: Job, match: (s: Step) => boolean, what: string): number {
  const i = job.steps.findIndex(match);
  expect(i, `no step ${what}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('.github/workflows/conformance.yml', () => {
  it('runs on push and pull requests, on ubuntu, with bounded jobs', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-latest');
      expect(job['timeout-minutes']).toBeGreaterThan(0);
    }
  });

  it('never hard-codes a pinned version: Node and kind come from versions.json', () => {
    for (const key of ['kindVersion', 'kubernetes']) expect(text).not.toContain(versions[key]);
    expect(text).toContain('jq -er .kindVersion versions.json');
    expect(text).toContain('jq -er .node versions.json');
  });

  it('kind job: install kind, build images, run the reference target, upload the report always', () => {
    const job = workflow.jobs.kind;
    const kind = indexOf(job, (s) => !!s.run?.includes('kind-linux-amd64.sha256sum'), 'installing kind with a checksum');
    const build = indexOf(job, (s) => s.run === 'npm run build:images', 'building the images');
    const run = indexOf(job, (s) => !!s.run?.includes('vipcheck.js run --provider kind --target reference --report-dir vipcheck-report'), 'running the suite on kind');
    const upload = indexOf(job, (s) => s.uses?.startsWith('actions/upload-artifact@') === true && !!s.with?.path.includes('junit.xml'), 'uploading the report');
    expect(kind).toBeLessThan(build);
    expect(build).toBeLessThan(run);
    expect(run).toBeLessThan(upload);
    expect(job.steps[upload].if).toBe('always()');
    expect(job.steps[upload].with!.path).toContain('vipcheck-report/report.json');
  });

  it('local job: the project\'s own tests as root', () => {
    const job = workflow.jobs.local;
    const test = indexOf(job, (s) => !!s.run?.startsWith('sudo ') && s.run.endsWith(' npm test'), 'npm test under sudo');
    const install = indexOf(job, (s) => s.run === 'npm ci --no-audit --no-fund', 'npm ci');
    expect(install).toBeLessThan(test);
  });
});
