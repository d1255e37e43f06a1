// The layers of the tree point down only:
//
//   suites ──► harness ──► lib ◄── impl
//
// lib/ imports nothing of ours outside lib/; impl/ imports lib/ and its own
// program (a test of one program may start another one's launcher); the
// harness imports lib/ and starts impl as programs by path, never by import;
// a suite imports the harness, lib/, its own folder and suites/shared/.
// And no import circles among the modules (type-only imports aside). `node scripts/check-layers.ts`
// prints every violation with its file and line; the unit test fails on any.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../lib/repo-root.ts';

export interface ImportEdge {
  /** Repo-relative path of the importing file. */
  from: string;
  line: number;
  /** Repo-relative path of the imported file. */
  to: string;
  /** `import type …`: erased at run time, so it cannot close a circle of module initialisation. */
  typeOnly: boolean;
}

export interface LayerViolation {
  file: string;
  line: number;
  message: string;
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one file's text, resolved to repo-relative paths. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
  for (const match of withoutComments.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier.startsWith('.')) continue; // node: builtins and npm packages
    const line = withoutComments.slice(0, match.index + match[0].length).split('\n').length;
    const typeOnly = /^[;\s]*(?:import|export)\s+type\s/.test(match[0]);
    edges.push({ from: file, line, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)), typeOnly });
  }
  return edges;
}

const isTest = (file: string) => /\.test\.ts$/.test(file);
const top = (file: string) => file.split('/')[0];
/** impl/proxy/x.ts → "proxy"; suites/e2e/x.ts → "e2e". */
const second = (file: string) => file.split('/')[1];

/** The rule an edge breaks, or undefined when it points the right way. */
export function layerRule(edge: ImportEdge): string | undefined {
  const [from, to] = [top(edge.from), top(edge.to)];
  switch (from) {
    case 'lib':
      return to === 'lib' ? undefined : `lib/ is the bottom layer and imports nothing of ours outside lib/ (imports ${edge.to})`;
    case 'impl':
      if (to === 'lib') return undefined;
      if (to !== 'impl') return `impl/ stands alone and imports only lib/ and itself (imports ${edge.to})`;
      if (second(edge.from) === second(edge.to) || isTest(edge.from)) return undefined;
      return `impl/${second(edge.from)} is a program of its own and imports no other program of impl/ (imports ${edge.to})`;
    case 'harness':
      if (to === 'lib' || to === 'harness') return undefined;
      if (to === 'impl') return `the harness starts impl/ programs by path, never by import (imports ${edge.to})`;
      return `harness/ imports only lib/ and itself (imports ${edge.to})`;
    case 'suites':
      if (to === 'lib' || to === 'harness') return undefined;
      if (to === 'suites' && (second(edge.to) === second(edge.from) || second(edge.to) === 'shared')) return undefined;
      if (to === 'suites') return `a suite imports its own folder and suites/shared/, not another suite's (imports ${edge.to})`;
      return `suites/ import the harness and lib/, never impl/ (imports ${edge.to})`;
    default:
      return undefined; // scripts/, bin/, configs: tools on top of everything
  }
}

/** Import circles among the given edges (tests and type-only imports aside), each as the list of files around it. */
export function importCycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) if (!isTest(e.from) && !e.typeOnly) (graph.get(e.from) ?? graph.set(e.from, []).get(e.from)!).push(e.to);
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

export function checkLayers(files: { path: string; text: string }[]): LayerViolation[] {
  const edges = files.flatMap((f) => importsOf(f.path, f.text));
  const violations: LayerViolation[] = [];
  for (const edge of edges) {
    const rule = layerRule(edge);
    if (rule) violations.push({ file: edge.from, line: edge.line, message: rule });
  }
  for (const cycle of importCycles(edges)) {
    const first = edges.find((e) => e.from === cycle[0] && e.to === cycle[1] && !e.typeOnly)!;
    violations.push({ file: first.from, line: first.line, message: `import circle: ${cycle.join(' → ')}` });
  }
  return violations;
}

/** The TypeScript files git knows of (tracked, or new and not ignored). */
export function sourceFiles(root = REPO_ROOT): { path: string; text: string }[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.ts'], { cwd: root, encoding: 'utf8' });
  return listed.split('\n').filter(Boolean).flatMap((file) => {
    try {
      return [{ path: file, text: readFileSync(path.join(root, file), 'utf8') }];
    } catch {
      return []; // deleted in the working tree
    }
  });
}

if (import.meta.main) {
  const violations = checkLayers(sourceFiles());
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.message}`);
  console.log(violations.length ? `${violations.length} layer violation(s)` : 'layers: no violation');
  process.exitCode = violations.length ? 1 : 0;
}
