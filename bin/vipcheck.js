#!/usr/bin/env node
// Entry point of the `vipcheck` command. The CLI is TypeScript run by Node
// 24's type stripping; on an older node, re-run under the project's Node 24
// (the `node` devDependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'harness/cli/main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(main);
} else {
  const node24 = path.join(root, 'node_modules/node/bin/node');
  if (!existsSync(node24)) {
    console.error(`vipcheck needs Node >= 24 (this is ${process.version}); run "npm install" in ${root} first`);
    process.exit(1);
  }
  const result = spawnSync(node24, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
