import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXTRA_IMAGES_ENV, imagesNotIn, missingPrograms, prepareTargetImages, readExtraImages, resolveTargetImages, runningImageTable } from './target-images.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-target-images-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string): string {
  const file = path.join(dir, 'cache', 'tool-v1', 'bin', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('resolveTargetImages', () => {
  it('expands ${VIPCHECK_CACHE} and other variables in entrypoints and files', () => {
    const images = resolveTargetImages(
      { tool: { entrypoint: ['${VIPCHECK_CACHE}/tool-v1/bin/tool', '--flag=${MODE}'], files: { '/tool': '${VIPCHECK_CACHE}/tool-v1/bin/tool' } } },
      'target t',
      { VIPCHECK_CACHE: '/cache', MODE: 'fast' },
    );
    expect(images).toEqual({ tool: { entrypoint: ['/cache/tool-v1/bin/tool', '--flag=fast'], files: { '/tool': '/cache/tool-v1/bin/tool' } } });
  });

  it('defaults the cache to ~/.cache/vipcheck', () => {
    const images = resolveTargetImages({ tool: { entrypoint: ['${VIPCHECK_CACHE}/x'] } }, 'target t', {});
    expect(images.tool.entrypoint[0]).toBe(path.join(os.homedir(), '.cache', 'vipcheck', 'x'));
  });

  it('names the field of a bad entry', () => {
    expect(() => resolveTargetImages({ tool: { entrypoint: [] } }, 'target t', {})).toThrow('target t: images["tool"].entrypoint: must be a non-empty list of strings');
    expect(() => resolveTargetImages({ tool: { entrypoint: ['x'], command: 'y' } }, 'target t', {})).toThrow('images["tool"].command: unknown field');
    expect(() => resolveTargetImages({ tool: { entrypoint: ['${NOPE}/x'] } }, 'target t', {})).toThrow('images["tool"].entrypoint[0]: ${NOPE} is not set');
    expect(() => resolveTargetImages(['x'], 'target t', {})).toThrow('target t: images: must be a map');
  });
});

describe('checks against programs and the running table', () => {
  it('lists programs that are not there, and images a table lacks or maps elsewhere', () => {
    const tool = program('tool');
    expect(missingPrograms({ a: { entrypoint: [tool] }, b: { entrypoint: ['/nonexistent/vc-b'] }, c: { entrypoint: ['on-path'] } })).toEqual(['b: /nonexistent/vc-b']);
    const wanted = { a: { entrypoint: [tool] }, b: { entrypoint: ['/x'] } };
    expect(imagesNotIn(wanted, { a: { entrypoint: [tool] }, b: { entrypoint: ['/y'] } })).toEqual(['b']);
  });

  it('reads the table of the first node agent of a run directory', () => {
    const runDir = path.join(dir, 'run');
    mkdirSync(path.join(runDir, 'nodes', 'vc-node-1'), { recursive: true });
    writeFileSync(path.join(runDir, 'nodes', 'vc-node-1', 'agent.json'), JSON.stringify({ images: { a: { entrypoint: ['/a'] } } }));
    expect(runningImageTable(runDir)).toEqual({ a: { entrypoint: ['/a'] } });
    expect(runningImageTable(path.join(dir, 'none'))).toBeUndefined();
  });
});

describe('prepareTargetImages', () => {
  const cache = path.join(dir, 'cache');

  it('hands the images to the environment about to start, merged with VIPCHECK_EXTRA_IMAGES', () => {
    program('tool');
    const userFile = path.join(dir, 'user-images.json');
    writeFileSync(userFile, JSON.stringify({ mine: { entrypoint: ['/usr/bin/true'] } }));
    const env: NodeJS.ProcessEnv = { VIPCHECK_CACHE: cache, [EXTRA_IMAGES_ENV]: userFile };
    const file = path.join(dir, 'vc-target-images.json');
    prepareTargetImages({ name: 't', images: { tool: { entrypoint: ['${VIPCHECK_CACHE}/tool-v1/bin/tool'] } } }, { runDir: '', up: false }, { env, file });
    expect(env[EXTRA_IMAGES_ENV]).toBe(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ mine: { entrypoint: ['/usr/bin/true'] }, tool: { entrypoint: [path.join(cache, 'tool-v1/bin/tool')] } });
    expect(readExtraImages(env)).toEqual({ mine: { entrypoint: ['/usr/bin/true'] }, tool: { entrypoint: [path.join(cache, 'tool-v1/bin/tool')] } });
  });

  it('refuses a running environment without the images, and programs that were not built', () => {
    program('tool');
    const runDir = path.join(dir, 'run-without');
    mkdirSync(path.join(runDir, 'nodes', 'vc-node-1'), { recursive: true });
    writeFileSync(path.join(runDir, 'nodes', 'vc-node-1', 'agent.json'), JSON.stringify({ images: {} }));
    const env: NodeJS.ProcessEnv = { VIPCHECK_CACHE: cache };
    const target = { name: 't', images: { tool: { entrypoint: ['${VIPCHECK_CACHE}/tool-v1/bin/tool'] } } };
    expect(() => prepareTargetImages(target, { runDir, up: true }, { env })).toThrow(/started without its images \(tool\); run "vipcheck down" first/);
    expect(() => prepareTargetImages({ name: 't', images: { x: { entrypoint: ['${VIPCHECK_CACHE}/x-v1/bin/x'] } } }, { runDir, up: true }, { env }))
      .toThrow(/npm run build:third-party.*x: .*x-v1\/bin\/x/);
  });

  it('does nothing for a target without images', () => {
    const env: NodeJS.ProcessEnv = {};
    prepareTargetImages({ name: 'reference' }, { runDir: '', up: false }, { env });
    expect(env[EXTRA_IMAGES_ENV]).toBeUndefined();
  });

  it('reports a broken VIPCHECK_EXTRA_IMAGES file by name', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => readExtraImages({ [EXTRA_IMAGES_ENV]: bad })).toThrow(`${EXTRA_IMAGES_ENV}=${bad}:`);
  });
});
