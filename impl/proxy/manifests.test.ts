// The manifests in fixtures/proxy agree with the code: the container args are
// flags the proxy accepts, the image is one the local provider knows, the
// probes and Service point at declared ports, and RBAC grants what the
// controller calls (and no more).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseProxyConfig } from './config.ts';
import { WATCH_CALLS, type ApiCall } from './kube/cluster-watch.ts';
import { EVENT_CALLS } from './kube/events.ts';
import { STATUS_CALLS } from './kube/status-writer.ts';
import { DEFAULT_CONTROLLER_NAME } from './routing/class-selection.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'fixtures/proxy');

type Obj = any;
const parse = (file: string): Obj[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
  if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
  return d.toJS();
});
const objects: Obj[] = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => parse(path.join(DIR, f)));
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

const callText = (c: ApiCall) => `${c.group || 'core'}/${c.resource}:${c.verb}`;
/** Every API call impl/proxy/kube makes, as "group/resource:verb". */
const CALLS = [...WATCH_CALLS, ...STATUS_CALLS, ...EVENT_CALLS].map(callText).sort();

function grantsOf(role: Obj): string[] {
  const grants = new Set<string>();
  for (const rule of role.rules) for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) grants.add(callText({ group: g, resource: r, verb: v }));
  return [...grants].sort();
}

describe('fixtures/proxy manifests', () => {
  it('declare the IngressClass of our controller', () => {
    expect(find('IngressClass', 'vipcheck').spec.controller).toBe(DEFAULT_CONTROLLER_NAME);
  });

  it('run the proxy image with flags the proxy accepts', () => {
    const deployment = find('Deployment', 'vipcheck-proxy');
    expect(deployment.metadata.namespace).toBe('vipcheck-ingress');
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('vipcheck/proxy:0.1.0');
    const config = parseProxyConfig(container.args, {});
    expect(config.publishService).toEqual({ namespace: 'vipcheck-ingress', name: 'vipcheck-proxy' });
    const ports = Object.fromEntries(container.ports.map((p: Obj) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: config.httpPort, https: config.httpsPort, metrics: config.metricsPort });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.env.map((e: Obj) => [e.name, e.valueFrom.fieldRef.fieldPath])).toEqual([
      ['POD_NAME', 'metadata.name'], ['POD_NAMESPACE', 'metadata.namespace'], ['NODE_NAME', 'spec.nodeName'],
    ]);
    const graceMs = deployment.spec.template.spec.terminationGracePeriodSeconds * 1000;
    expect(config.shutdownDelayMs + config.shutdownTimeoutMs).toBeLessThan(graceMs);
  });

  it('put the proxy behind a LoadBalancer Service on 80 and 443', () => {
    const service = find('Service', 'vipcheck-proxy');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.selector).toEqual(find('Deployment', 'vipcheck-proxy').spec.selector.matchLabels);
    expect(service.spec.ports.map((p: Obj) => [p.port, p.targetPort])).toEqual([[80, 'http'], [443, 'https']]);
  });

  it('grant exactly the API calls the controller makes', () => {
    expect(CALLS).toContain('core/namespaces:watch');
    expect(grantsOf(find('ClusterRole', 'vipcheck-proxy'))).toEqual(CALLS);
    const binding = find('ClusterRoleBinding', 'vipcheck-proxy');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vipcheck-proxy', namespace: 'vipcheck-ingress' }]);
    expect(find('Deployment', 'vipcheck-proxy').spec.template.spec.serviceAccountName).toBe('vipcheck-proxy');
  });

  it('let a scenario-owned reference proxy make every call too', () => {
    const role = parse(path.join(ROOT, 'fixtures/scenarios/e2e/reference-proxy-rbac.yaml')).find((o) => o.kind === 'ClusterRole');
    const granted = grantsOf(role);
    expect(CALLS.filter((c) => !granted.includes(c))).toEqual([]);
  });
});
