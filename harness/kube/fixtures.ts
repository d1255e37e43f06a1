// Fixture files: Kubernetes YAML with {{ placeholders }} for what changes per
// run (namespace, the target's IngressClass, addresses). Loading a fixture
// either yields valid objects or an error naming the file, the document and
// what is wrong — before anything is sent to the cluster.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../lib/repo-root.ts';

export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');

export type TemplateVars = Record<string, string | number>;

const CLUSTER_SCOPED = new Set([
  'Namespace', 'IngressClass', 'ClusterRole', 'ClusterRoleBinding', 'Node', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass',
]);

export class FixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

/** Replaces {{ name }} with vars[name]; an unknown name is an error naming the file and the line. */
export function renderTemplate(text: string, vars: TemplateVars, source: string): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (match, name: string, offset: number) => {
    if (!(name in vars)) {
      const line = text.slice(0, offset).split('\n').length;
      throw new FixtureError(`${source}:${line}: unknown placeholder {{ ${name} }} (known: ${Object.keys(vars).sort().join(', ')})`);
    }
    return String(vars[name]);
  });
}

/** Parses multi-document YAML into objects, checking each has apiVersion, kind and metadata.name. */
export function parseObjects(text: string, source: string, defaultNamespace?: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const docs = parseAllDocuments(text);
  docs.forEach((doc, index) => {
    const where = `${source}, document ${index + 1}`;
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new FixtureError(`${where}: invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    const value = doc.toJS() as KubernetesObject | null;
    if (value === null || value === undefined) return; // an empty document between separators
    if (typeof value !== 'object' || Array.isArray(value)) throw new FixtureError(`${where}: expected a Kubernetes object, got ${Array.isArray(value) ? 'a list' : typeof value}`);
    for (const field of ['apiVersion', 'kind'] as const) {
      if (typeof value[field] !== 'string' || !value[field]) throw new FixtureError(`${where}: missing "${field}"`);
    }
    if (!value.metadata?.name) throw new FixtureError(`${where} (${value.kind}): missing "metadata.name"`);
    if (!CLUSTER_SCOPED.has(value.kind!) && !value.metadata.namespace && defaultNamespace) value.metadata.namespace = defaultNamespace;
    objects.push(value);
  });
  return objects;
}

/** Loads a fixture (path relative to fixtures/ or absolute), renders it and parses it. */
export async function loadFixture(file: string, vars: TemplateVars, defaultNamespace?: string): Promise<KubernetesObject[]> {
  const full = path.isAbsolute(file) ? file : path.join(FIXTURES_DIR, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    throw new FixtureError(`fixture ${file}: cannot read ${full}: ${(error as Error).message}`);
  }
  const source = path.relative(REPO_ROOT, full);
  return parseObjects(renderTemplate(text, vars, source), source, defaultNamespace);
}
