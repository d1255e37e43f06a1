import { describe, expect, it } from 'vitest';
import { parseKindVersions, readKindVersions, readPackageVersion } from './versions.ts';

describe('pinned versions', () => {
  it('reads the pins from versions.json and the image tag from package.json', () => {
    const v = readKindVersions();
    expect(v.kubernetes).toMatch(/^v1\.\d+\.\d+$/);
    expect(v.kindVersion).toMatch(/^v0\.\d+\.\d+$/);
    expect(v.kindNodeImage.startsWith(`kindest/node:${v.kubernetes}@sha256:`)).toBe(true);
    expect(readPackageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names the file and the field when a pin is missing or malformed', () => {
    const good = { kubernetes: 'v1.37.0', kindVersion: 'v0.33.0', kindNodeImage: `kindest/node:v1.37.0@sha256:${'0'.repeat(64)}` };
    expect(parseKindVersions(good, 'v.json')).toEqual(good);
    expect(() => parseKindVersions({ ...good, kindVersion: undefined }, 'v.json')).toThrow('v.json: field "kindVersion" must look like v0.33.0, got undefined');
    expect(() => parseKindVersions({ ...good, kindNodeImage: 'kindest/node:v1.37.0' }, 'v.json')).toThrow(/field "kindNodeImage" .*sha256/);
    expect(() => parseKindVersions([], 'v.json')).toThrow(/field "kubernetes"/);
    expect(() => parseKindVersions(null, 'v.json')).toThrow('v.json: expected a JSON object');
  });
});
