import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioCatalog, type CatalogEntry } from './catalog.ts';
import { DOC_FILE, parseScenariosDoc, renderScenariosDoc } from './scenarios-doc.ts';

const entry = (file: string, definition: Partial<CatalogEntry['definition']>): CatalogEntry =>
  ({ file, definition: { suite: 'ingress', feature: 'ingress-core', description: 'd', run: async () => {}, ...definition } as CatalogEntry['definition'] });

describe('docs/scenarios.md', () => {
  it('is current: generated from the scenario definitions (node scripts/scenarios-doc.ts rewrites it)', async () => {
    expect(readFileSync(DOC_FILE, 'utf8')).toBe(renderScenariosDoc(await scenarioCatalog()));
  });

  it('renders a row per scenario that the layout test reads back', () => {
    const text = renderScenariosDoc([
      entry('suites/ingress/a.test.ts', { id: 'ingress-a', description: 'a | b\nc' }),
      entry('suites/e2e/b.serial.test.ts', { id: 'e2e-b', suite: 'e2e', requires: ['lb-bgp'], disruptive: true }),
    ]);
    expect(text).toContain('| [ingress-a](../suites/ingress/a.test.ts) | ingress-core |  |  | a \\| b c |');
    expect(text).toContain('| [e2e-b](../suites/e2e/b.serial.test.ts) | ingress-core | lb-bgp | yes | d |');
    expect(parseScenariosDoc(text)).toEqual([
      { id: 'ingress-a', file: 'suites/ingress/a.test.ts', disruptive: false },
      { id: 'e2e-b', file: 'suites/e2e/b.serial.test.ts', disruptive: true },
    ]);
  });
});
