// The scenarios as data: every scenario file under suites/<suite>/ and the
// definition it declares, read without vitest (while the catalog imports
// the files, scenario() records definitions instead of declaring tests).
// docs/scenarios.md is generated from it (scripts/scenarios-doc.ts).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { collectDefinitions } from './define.ts';
import { SUITES, type Scenario } from './types.ts';

export const SUITES_DIR = path.join(REPO_ROOT, 'suites');

/** Every scenario file, split into those that may run together and those that must run alone. */
export async function scenarioFiles(): Promise<{ concurrent: string[]; serial: string[] }> {
  const all: string[] = [];
  for (const suite of SUITES) {
    const dir = path.join(SUITES_DIR, suite);
    if (!existsSync(dir)) continue;
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.test.ts')) all.push(path.join(dir, f));
  }
  return { concurrent: all.filter((f) => !f.endsWith('.serial.test.ts')), serial: all.filter((f) => f.endsWith('.serial.test.ts')) };
}

export interface CatalogEntry {
  /** Repo-relative, with forward slashes. */
  file: string;
  definition: Scenario;
}

let catalog: Promise<CatalogEntry[]> | undefined;

/** Every scenario definition with its file, by suite and file name; a file must declare exactly one. */
export function scenarioCatalog(): Promise<CatalogEntry[]> {
  catalog ??= collectDefinitions(async (collected) => {
    const { concurrent, serial } = await scenarioFiles();
    const entries: CatalogEntry[] = [];
    for (const file of [...concurrent, ...serial]) {
      const before = collected.length;
      await import(pathToFileURL(file).href);
      const declared = collected.slice(before);
      const relative = path.relative(REPO_ROOT, file).split(path.sep).join('/');
      if (declared.length !== 1) throw new Error(`${relative}: declares ${declared.length} scenarios (scenario() calls), want exactly one`);
      entries.push({ file: relative, definition: declared[0] });
    }
    const suite = (e: CatalogEntry) => SUITES.indexOf(e.definition.suite);
    return entries.sort((a, b) => suite(a) - suite(b) || a.file.localeCompare(b.file));
  });
  return catalog;
}
