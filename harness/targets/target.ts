// A target is the implementation under test, as data: what it claims, how
// to install it, how it is reached. `reference` (impl/) is built in; users
// bring their own with --target FILE (YAML, JSON, or a TS/JS module whose
// default export is a Target).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ALL_FEATURES, isFeature, type Feature } from '../scenario/features.ts';
import type { LocalImage } from '../providers/local/images.ts';

export interface Workload {
  kind: 'Deployment' | 'DaemonSet';
  namespace: string;
  name: string;
}

export interface IngressPart {
  /** The IngressClass the target serves (scenarios set it as ingressClassName). */
  className: string;
  /** spec.controller of that IngressClass. */
  controllerName: string;
  manifests: string[];
  /** The LoadBalancer Service the controller is published through. */
  publish: { namespace: string; service: string };
  /** Workloads that must be ready after install. */
  ready: Workload[];
  /** Where the controller's pods run, for dumps and for node-failure scenarios. */
  pods: { namespace: string; labelSelector: string };
  /** What pathType ImplementationSpecific means for this controller, as it documents it (needed to claim that feature). */
  implementationSpecific?: 'prefix' | 'exact';
  /**
   * Manifests of another instance of the controller, for the e2e scenarios
   * that need a second one (e2e-two-controllers, e2e-access-hostport). They
   * are applied in the scenario's namespace with its template variables plus
   * `instanceName` and `hostPort`, and must make: an IngressClass named
   * `{{ namespace }}` that only this instance serves; a Deployment
   * `{{ instanceName }}` whose pods are labelled `app: {{ instanceName }}`
   * and take HTTP on hostPort `{{ hostPort }}`; a LoadBalancer Service
   * `{{ instanceName }}` (port 80) that the instance writes into the status
   * of the Ingresses it serves. Cluster-scoped objects are deleted after the
   * scenario. Without it those scenarios are not-supported.
   */
  instance?: string[];
}

export interface LoadBalancerPart {
  manifests: string[];
  /** The MetalLB legacy ConfigMap (a fixture with placeholders), applied as metallb-system/config. */
  configMap: string;
  namespace: string;
  ready: Workload[];
  /** The speaker pods (one per node), for restart scenarios and dumps. */
  speakerPods: { namespace: string; labelSelector: string };
  controllerPods: { namespace: string; labelSelector: string };
}

export interface Target {
  name: string;
  version: string;
  description?: string;
  features: Feature[];
  ingress?: IngressPart;
  loadBalancer?: LoadBalancerPart;
  /** Local provider only: image repository → local program. */
  images?: Record<string, LocalImage>;
  /** Directory manifest paths are relative to (the target file's own directory; fixtures/ for the reference). */
  baseDir: string;
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Checks a target object read from a file; errors name the file and the field. */
export function validateTarget(value: unknown, source: string, baseDir: string): Target {
  const fail = (field: string, problem: string): never => {
    throw new TargetError(`${source}: ${field}: ${problem}`);
  };
  if (!value || typeof value !== 'object') fail('(top)', 'expected an object');
  const t = value as Record<string, unknown>;
  const known = new Set(['name', 'version', 'description', 'features', 'ingress', 'loadBalancer', 'images', 'baseDir']);
  for (const key of Object.keys(t)) if (!known.has(key)) fail(key, `unknown field (known: ${[...known].join(', ')})`);
  if (typeof t.name !== 'string' || !/^[a-z0-9][a-z0-9+._-]*$/.test(t.name)) fail('name', 'a lower-case name is required');
  if (typeof t.version !== 'string' || !t.version) fail('version', 'required');
  if (!Array.isArray(t.features)) fail('features', 'a list of features is required');
  (t.features as unknown[]).forEach((f, i) => {
    if (typeof f !== 'string' || !isFeature(f)) fail(`features[${i}]`, `unknown feature ${JSON.stringify(f)} (known: ${ALL_FEATURES.join(', ')})`);
  });
  const strings = (obj: Record<string, unknown>, prefix: string, keys: string[]) => {
    for (const key of keys) if (typeof obj[key] !== 'string' || !obj[key]) fail(`${prefix}.${key}`, 'required');
  };
  const list = (obj: Record<string, unknown>, prefix: string, key: string) => {
    if (!Array.isArray(obj[key]) || (obj[key] as unknown[]).some((m) => typeof m !== 'string')) fail(`${prefix}.${key}`, 'a list of file paths is required');
  };
  const workloads = (obj: Record<string, unknown>, prefix: string) => {
    if (!Array.isArray(obj.ready)) fail(`${prefix}.ready`, 'a list of {kind, namespace, name} is required');
    (obj.ready as Record<string, unknown>[]).forEach((w, i) => {
      if (w.kind !== 'Deployment' && w.kind !== 'DaemonSet') fail(`${prefix}.ready[${i}].kind`, 'Deployment or DaemonSet');
      strings(w, `${prefix}.ready[${i}]`, ['namespace', 'name']);
    });
  };
  const selector = (obj: Record<string, unknown>, prefix: string, key: string) => {
    const s = obj[key] as Record<string, unknown> | undefined;
    if (!s || typeof s !== 'object') fail(`${prefix}.${key}`, 'required: {namespace, labelSelector}');
    strings(s!, `${prefix}.${key}`, ['namespace', 'labelSelector']);
  };
  if (t.ingress !== undefined) {
    const i = t.ingress as Record<string, unknown>;
    strings(i, 'ingress', ['className', 'controllerName']);
    list(i, 'ingress', 'manifests');
    const p = i.publish as Record<string, unknown> | undefined;
    if (!p) fail('ingress.publish', 'required: {namespace, service}');
    strings(p!, 'ingress.publish', ['namespace', 'service']);
    workloads(i, 'ingress');
    selector(i, 'ingress', 'pods');
    if (i.instance !== undefined) list(i, 'ingress', 'instance');
    if (i.implementationSpecific !== undefined && i.implementationSpecific !== 'prefix' && i.implementationSpecific !== 'exact') {
      fail('ingress.implementationSpecific', 'must be "prefix" or "exact"');
    }
    if ((t.features as string[] | undefined)?.includes('ingress-path-implementation-specific') && i.implementationSpecific === undefined) {
      fail('ingress.implementationSpecific', 'required when claiming ingress-path-implementation-specific: say what the controller documents ("prefix" or "exact")');
    }
  }
  if (t.loadBalancer !== undefined) {
    const l = t.loadBalancer as Record<string, unknown>;
    strings(l, 'loadBalancer', ['configMap', 'namespace']);
    list(l, 'loadBalancer', 'manifests');
    workloads(l, 'loadBalancer');
    selector(l, 'loadBalancer', 'speakerPods');
    selector(l, 'loadBalancer', 'controllerPods');
  }
  if (!t.ingress && !t.loadBalancer) fail('(top)', 'a target needs an "ingress" part, a "loadBalancer" part, or both');
  const features = t.features as Feature[];
  if (!t.ingress && features.some((f) => f.startsWith('ingress-'))) fail('features', 'claims ingress features but has no "ingress" part');
  if (!t.loadBalancer && features.some((f) => f.startsWith('lb-'))) fail('features', 'claims load-balancer features but has no "loadBalancer" part');
  return { ...(t as unknown as Target), baseDir: typeof t.baseDir === 'string' ? path.resolve(baseDir, t.baseDir) : baseDir };
}

/** Loads --target: "reference" or a file path. */
export async function loadTarget(spec: string): Promise<Target> {
  if (spec === 'reference') return (await import('./reference.ts')).referenceTarget();
  const file = path.resolve(spec);
  const dir = path.dirname(file);
  let value: unknown;
  try {
    if (/\.(ts|js|mjs)$/.test(file)) {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      value = module.default;
    } else {
      const text = await readFile(file, 'utf8');
      value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    }
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(`--target ${spec}: cannot load ${file}: ${(error as Error).message}`);
  }
  return validateTarget(value, path.relative(process.cwd(), file) || file, dir);
}

export function missingFeatures(target: Target, features: Feature[]): Feature[] {
  return features.filter((f) => !target.features.includes(f));
}
