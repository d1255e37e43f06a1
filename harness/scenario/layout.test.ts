// The suites' conventions, checked on the files themselves: one scenario per
// file named after its id, and disruptive scenarios (and only they) in
// *.serial.test.ts files, which `vipcheck run` runs alone.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scenarioFiles } from '../cli/run.ts';

describe('suite layout', async () => {
  const { concurrent, serial } = await scenarioFiles();
  const all = [...concurrent, ...serial];

  it('has every scenario of SCENARIOS.md as a file (51)', () => {
    expect(all).toHaveLength(51);
  });

  it.each(all.map((f) => [path.relative(path.dirname(path.dirname(f)), f), f]))('%s: id matches the file, disruptive matches .serial', (_, file) => {
    const text = readFileSync(file, 'utf8');
    const suite = path.basename(path.dirname(file));
    const id = text.match(/id: '([^']+)'/)?.[1];
    const prefix = suite === 'loadbalancer' ? 'lb' : suite;
    expect(id).toBe(`${prefix}-${path.basename(file).replace(/(\.serial)?\.test\.ts$/, '')}`);
    expect(text.includes('disruptive: true')).toBe(file.endsWith('.serial.test.ts'));
  });
});
