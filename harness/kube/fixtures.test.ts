import { describe, expect, it } from 'vitest';
import { parseObjects, renderTemplate, FixtureError } from './fixtures.ts';

describe('renderTemplate', () => {
  it('replaces placeholders with their values', () => {
    expect(renderTemplate('ns: {{ namespace }}, class: {{ingressClass}}', { namespace: 'vc-a', ingressClass: 'vipcheck' }, 'f.yaml'))
      .toBe('ns: vc-a, class: vipcheck');
  });
  it('names the file, the line and the known names for an unknown placeholder', () => {
    expect(() => renderTemplate('a: 1\nb: {{ nope }}', { namespace: 'x' }, 'fixtures/f.yaml'))
      .toThrow('fixtures/f.yaml:2: unknown placeholder {{ nope }} (known: namespace)');
  });
});

describe('parseObjects', () => {
  it('parses several documents, skips empty ones and fills the namespace of namespaced kinds only', () => {
    const objects = parseObjects('apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\n', 'f.yaml', 'vc-ns');
    expect(objects.map((o) => [o.kind, o.metadata?.namespace])).toEqual([['Service', 'vc-ns'], ['IngressClass', undefined]]);
  });
  it('rejects an object without a name, naming the document and kind', () => {
    expect(() => parseObjects('apiVersion: v1\nkind: Service\nmetadata: {}\n', 'f.yaml')).toThrow('f.yaml, document 1 (Service): missing "metadata.name"');
  });
  it('rejects an object without a kind', () => {
    expect(() => parseObjects('apiVersion: v1\nmetadata: {name: a}\n', 'f.yaml')).toThrow(FixtureError);
  });
  it('reports invalid YAML with its line', () => {
    expect(() => parseObjects('apiVersion: v1\nkind: [\n', 'f.yaml')).toThrow(/f.yaml, document 1: invalid YAML at line \d+/);
  });
});
