// Cluster state from a file: Kubernetes objects as YAML documents (or a JSON
// list), for running the proxy without a cluster (benchmarks, tests). Same
// objects the informers would deliver; an unknown kind is an error that names
// the document.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { emptyClusterState, type ClusterState } from './snapshot.ts';

const KIND_TO_FIELD: Record<string, keyof ClusterState> = {
  Ingress: 'ingresses',
  IngressClass: 'ingressClasses',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Secret: 'secrets',
  Namespace: 'namespaces',
};

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

export function parseClusterState(text: string, source: string): ClusterState {
  const state = emptyClusterState();
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new StateFileError(`${source}: not YAML`);
  documents.forEach((doc, index) => {
    if (doc.errors.length > 0) throw new StateFileError(`${source}: document ${index + 1}: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    const objects = isList(value) ? value.items : [value];
    objects.forEach((object, i) => {
      const where = isList(value) ? `document ${index + 1} item ${i + 1}` : `document ${index + 1}`;
      if (typeof object !== 'object' || object === null) throw new StateFileError(`${source}: ${where} is not an object`);
      const kind = (object as { kind?: unknown }).kind;
      const field = typeof kind === 'string' ? KIND_TO_FIELD[kind] : undefined;
      if (!field) throw new StateFileError(`${source}: ${where} has kind ${JSON.stringify(kind)}; expected one of ${Object.keys(KIND_TO_FIELD).join(', ')}`);
      const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
      if (typeof name !== 'string' || name === '') throw new StateFileError(`${source}: ${where} (${kind}) has no metadata.name`);
      (state[field] as unknown[]).push(object);
    });
  });
  return state;
}

export async function loadClusterState(file: string): Promise<ClusterState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StateFileError(`cannot read state file ${file}: ${(error as Error).message}`);
  }
  return parseClusterState(text, file);
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { items?: unknown }).items);
}
