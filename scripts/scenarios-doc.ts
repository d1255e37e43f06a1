// docs/scenarios.md, generated from the scenario definitions
// (harness/scenario/scenarios-doc.ts renders it).
//
//   node scripts/scenarios-doc.ts            # rewrite docs/scenarios.md
//   node scripts/scenarios-doc.ts --check    # exit 1 when it is not current
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { scenarioCatalog } from '../harness/scenario/catalog.ts';
import { DOC_FILE, renderScenariosDoc } from '../harness/scenario/scenarios-doc.ts';

if (import.meta.main) {
  const text = renderScenariosDoc(await scenarioCatalog());
  const relative = path.relative(process.cwd(), DOC_FILE);
  if (process.argv.includes('--check')) {
    const current = existsSync(DOC_FILE) ? readFileSync(DOC_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${relative} is not current: run node scripts/scenarios-doc.ts`);
      process.exitCode = 1;
    } else console.log(`${relative} is current`);
  } else {
    writeFileSync(DOC_FILE, text);
    console.log(`wrote ${relative}`);
  }
}
