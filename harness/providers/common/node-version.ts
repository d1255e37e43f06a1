// The one prerequisite every provider shares: the project's Node.
import type { Check } from '../provider.ts';

export function nodeVersionCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return { name: 'node', ok: major >= 24, detail: `Node ${process.versions.node}`, fix: 'run through npm (npm run / npx) so the project\'s Node 24 from node_modules is used' };
}
