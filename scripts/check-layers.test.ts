import { describe, expect, it } from 'vitest';
import { checkLayers, importsOf, sourceFiles } from './check-layers.ts';

const file = (path: string, text: string) => ({ path, text });

describe('the layers of this tree', () => {
  it('point down only, with no import circle', () => {
    const violations = checkLayers(sourceFiles()).map((v) => `${v.file}:${v.line}: ${v.message}`);
    expect(violations).toEqual([]);
  });
});

describe('checkLayers', () => {
  it('finds relative imports of every form, with their lines, and skips packages and comments', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import './side-effect.ts';",
      "const d = await import('./d.ts');",
      "import {",
      "  e,",
      "} from './e.ts';",
      "import { execa } from 'execa';",
      "// import { f } from './f.ts';",
      "/* import { g } from './g.ts'; */",
    ].join('\n');
    const edges = importsOf('harness/x/y.ts', text);
    expect(edges.map((e) => [e.to, e.line, e.typeOnly])).toEqual([
      ['harness/x/a.ts', 1, false],
      ['harness/b.ts', 2, true],
      ['harness/x/c.ts', 3, false],
      ['harness/x/side-effect.ts', 4, false],
      ['harness/x/d.ts', 5, false],
      ['harness/x/e.ts', 8, false],
    ]);
  });

  it('refuses an upward or cross import, naming the file and the line', () => {
    const violations = checkLayers([
      file('impl/speaker/kube/client.ts', "import { run } from '../../../lib/exec.ts';\nimport { waitFor } from '../../../harness/util/wait.ts';"),
      file('harness/traffic/client.ts', "import type { EchoBody } from '../../impl/echo/body.ts';"),
      file('lib/wait.ts', "import { Tor } from '../harness/tor/tor.ts';"),
      file('impl/proxy/main.ts', "import { parse } from '../speaker/config/parse.ts';"),
      file('suites/e2e/x.test.ts', "import { exposeEcho } from '../loadbalancer/helpers.ts';\nimport { loop } from '../shared/request-loop.ts';"),
      file('suites/ingress/y.test.ts', "import { spawnEcho } from '../../impl/echo/spawn.ts';"),
    ]);
    expect(violations.map((v) => `${v.file}:${v.line}`)).toEqual([
      'impl/speaker/kube/client.ts:2',
      'harness/traffic/client.ts:1',
      'lib/wait.ts:1',
      'impl/proxy/main.ts:1',
      'suites/e2e/x.test.ts:1',
      'suites/ingress/y.test.ts:1',
    ]);
    expect(violations[1].message).toMatch(/starts impl\/ programs by path/);
  });

  it('lets a test of one impl program start another, and tools import anything', () => {
    expect(checkLayers([
      file('impl/proxy/kube.integration.test.ts', "import { spawnEcho } from '../echo/spawn.ts';"),
      file('scripts/bench-bgp.ts', "import { encodePathAttributes } from '../impl/speaker/bgp/codec.ts';"),
    ])).toEqual([]);
  });

  it('finds an import circle, but not one closed only by type imports', () => {
    const circle = checkLayers([
      file('harness/a.ts', "import { b } from './b.ts';"),
      file('harness/b.ts', "import { c } from './c.ts';"),
      file('harness/c.ts', "import { a } from './a.ts';"),
    ]);
    expect(circle.map((v) => v.message)).toEqual(['import circle: harness/a.ts → harness/b.ts → harness/c.ts → harness/a.ts']);
    expect(checkLayers([
      file('harness/a.ts', "import { b } from './b.ts';"),
      file('harness/b.ts', "import type { A } from './a.ts';"),
    ])).toEqual([]);
  });
});
