// The reference target's manifests run images the local provider maps to
// programs of this checkout (a Pod of an unknown image would fail to start).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { imageRepository, resolveImage } from './images.ts';

function containerImages(dir: string): string[] {
  const images: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const spec = (doc.toJS() as any)?.spec?.template?.spec;
      for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) images.push(c.image);
    }
  }
  return images;
}

describe('the local image table', () => {
  it.each([['fixtures/proxy', 'impl/proxy/main.ts'], ['fixtures/metallb', 'impl/speaker/main.ts']])('maps every image of %s to %s', (dir, program) => {
    const images = containerImages(path.join(REPO_ROOT, dir));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const entry = resolveImage(image);
      expect(entry, `image ${image}`).toBeDefined();
      expect(entry!.entrypoint.at(-1)).toBe(path.join(REPO_ROOT, program));
      expect(existsSync(entry!.entrypoint.at(-1)!)).toBe(true);
    }
  });

  it('strips tags, digests and the docker.io/library prefix', () => {
    expect(imageRepository('docker.io/vipcheck/echo:0.1.0')).toBe('vipcheck/echo');
    expect(imageRepository('registry:5000/x/y@sha256:abc')).toBe('registry:5000/x/y');
    expect(imageRepository('docker.io/library/nginx:1')).toBe('nginx');
  });
});
