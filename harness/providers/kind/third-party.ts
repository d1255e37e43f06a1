// Turns a third-party recipe (harness/providers/kind/recipes/) and its fetched
// release manifests into one YAML stream to apply: documents the recipe drops
// are left out, its patches are applied (each must find its object, so an
// upstream change fails here, not in the cluster), its own objects appended.
import { parseAllDocuments, stringify } from 'yaml';
import type { ManifestPatch, ThirdPartyRecipe } from './recipes/recipe.ts';

type KubeObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } } & Record<string, unknown>;

export const FETCH_TIMEOUT_MS = 30_000;

export function recipeManifestUrls(recipe: ThirdPartyRecipe): string[] {
  return recipe.manifests.map((m) => m.url);
}

/** Parses every document of one fetched file; errors name the recipe, the URL and the document. */
export function parseManifest(recipe: ThirdPartyRecipe, url: string, text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${recipe.name} ${recipe.version}: ${url}: document ${i + 1}`;
    if (doc.errors.length) throw new Error(`${where}: ${doc.errors[0].message.split('\n')[0]}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return; // an empty document between separators
    const object = value as Partial<KubeObject>;
    if (typeof object !== 'object' || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      throw new Error(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
    }
    objects.push(object as KubeObject);
  });
  return objects;
}

function applyPatch(recipe: ThirdPartyRecipe, objects: KubeObject[], patch: ManifestPatch): void {
  const where = `${recipe.name} ${recipe.version}: patch of ${patch.kind} ${patch.name} at ${patch.path.join('.')}`;
  const targets = objects.filter((o) => o.kind === patch.kind && o.metadata?.name === patch.name);
  if (targets.length !== 1) throw new Error(`${where}: expected one such object in the manifests, found ${targets.length}`);
  let node: unknown = targets[0];
  for (const [i, key] of patch.path.entries()) {
    const last = i === patch.path.length - 1;
    if (node === null || typeof node !== 'object' || (typeof key === 'number') !== Array.isArray(node)) {
      const found = node === null || node === undefined ? 'missing' : Array.isArray(node) ? 'a list' : typeof node === 'object' ? 'a map' : `a ${typeof node}`;
      throw new Error(`${where}: ${patch.path.slice(0, i).join('.') || '(object)'} is ${found}, but the path needs ${typeof key === 'number' ? 'a list' : 'a map'} to take ${JSON.stringify(key)}`);
    }
    const container = node as Record<string | number, unknown>;
    if (last) {
      if (!(key in container)) throw new Error(`${where}: ${patch.path.join('.')} does not exist (upstream changed?)`);
      container[key] = patch.value;
    } else {
      node = container[key];
    }
  }
}

/** The recipe's manifests as one multi-document YAML, ready for server-side apply. */
export function renderRecipeManifests(recipe: ThirdPartyRecipe, fetched: Record<string, string>): string {
  const objects: KubeObject[] = [];
  const dropped = new Map<string, number>((recipe.drop ?? []).map((d) => [`${d.apiVersion}/${d.kind}`, 0]));
  for (const url of recipeManifestUrls(recipe)) {
    const text = fetched[url];
    if (text === undefined) throw new Error(`${recipe.name} ${recipe.version}: manifest ${url} was not fetched`);
    for (const object of parseManifest(recipe, url, text)) {
      const key = `${object.apiVersion}/${object.kind}`;
      if (dropped.has(key)) dropped.set(key, dropped.get(key)! + 1);
      else objects.push(object);
    }
  }
  for (const [key, count] of dropped) {
    if (count === 0) throw new Error(`${recipe.name} ${recipe.version}: the recipe drops ${key}, but the manifests have none (upstream changed? remove the drop)`);
  }
  for (const patch of recipe.patches ?? []) applyPatch(recipe, objects, patch);
  objects.push(...((recipe.extraObjects ?? []) as KubeObject[]).map((o) => structuredClone(o)));
  const header = [
    `# ${recipe.name} ${recipe.version}, rendered by harness/providers/kind/third-party.ts from:`,
    ...recipeManifestUrls(recipe).map((u) => `#   ${u}`),
    ...(recipe.drop ?? []).map((d) => `# dropped ${d.apiVersion} ${d.kind}: ${d.reason}`),
    ...(recipe.patches ?? []).map((p) => `# patched ${p.kind} ${p.name} ${p.path.join('.')}: ${p.reason}`),
  ].join('\n');
  return `${header}\n${objects.map((o) => `---\n${stringify(o)}`).join('')}`;
}

/** Downloads the recipe's manifests (bounded per file). Needs network access to the URLs' host. */
export async function fetchRecipeManifests(recipe: ThirdPartyRecipe, timeoutMs = FETCH_TIMEOUT_MS): Promise<Record<string, string>> {
  const fetched: Record<string, string> = {};
  for (const url of recipeManifestUrls(recipe)) {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new Error(`${recipe.name} ${recipe.version}: fetching ${url} failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new Error(`${recipe.name} ${recipe.version}: fetching ${url}: HTTP ${response.status}`);
    fetched[url] = await response.text();
  }
  return fetched;
}
