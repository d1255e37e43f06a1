// The suites' conventions, checked against the table of docs/scenarios.md
// (generated from the definitions; scripts/scenarios-doc.test.ts keeps it
// current): every scenario file has a row and every row a file, an id
// matches its file's name, disruptive scenarios (and only they) are in
// *.serial.test.ts files, which `vipcheck run` runs alone, and a suite's
// folder holds scenarios only (helpers live in suites/shared/).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { SUITES_DIR, scenarioFiles } from './catalog.ts';
import { DOC_FILE, parseScenariosDoc } from './scenarios-doc.ts';
import { SUITES } from './types.ts';

const PREFIX: Record<string, string> = { ingress: 'ingress', loadbalancer: 'lb', e2e: 'e2e' };

describe('suite layout', async () => {
  const { concurrent, serial } = await scenarioFiles();
  const files = [...concurrent, ...serial].map((f) => path.relative(REPO_ROOT, f).split(path.sep).join('/')).sort();
  const rows = parseScenariosDoc(readFileSync(DOC_FILE, 'utf8'));

  it('has a row in docs/scenarios.md for every scenario file, and a file for every row', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.file).sort()).toEqual(files);
  });

  it.each(rows.map((r) => [r.id, r]))('%s: the id matches the file, disruptive matches .serial', (_, row) => {
    const [, suite, name] = row.file.split('/');
    expect(row.id).toBe(`${PREFIX[suite]}-${name.replace(/(\.serial)?\.test\.ts$/, '')}`);
    expect(row.disruptive).toBe(row.file.endsWith('.serial.test.ts'));
  });

  it.each(SUITES)('suites/%s/ holds scenario files only', (suite) => {
    expect(readdirSync(path.join(SUITES_DIR, suite)).filter((f) => !f.endsWith('.test.ts'))).toEqual([]);
  });
});
