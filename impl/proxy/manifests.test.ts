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
import { DEFAULT_CONTROLLER_NAME } from './routing/class-selection.ts';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/proxy');

type Obj = any;
const objects: Obj[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(path.join(DIR, f), 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${f}: ${d.errors[0].message}`);
    return d.toJS();
  }));
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

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

  it('grant read on watched kinds and write only on ingress status and events', () => {
    const role = find('ClusterRole', 'vipcheck-proxy');
    const grants = new Set<string>();
    for (const rule of role.rules) for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) grants.add(`${g || 'core'}/${r}:${v}`);
    for (const [group, resource] of [['networking.k8s.io', 'ingresses'], ['networking.k8s.io', 'ingressclasses'], ['core', 'services'], ['core', 'secrets'], ['discovery.k8s.io', 'endpointslices']]) {
      for (const verb of ['get', 'list', 'watch']) expect(grants).toContain(`${group}/${resource}:${verb}`);
    }
    expect(grants).toContain('networking.k8s.io/ingresses/status:patch');
    expect(grants).toContain('core/events:create');
    const writes = [...grants].filter((g) => !/:(get|list|watch)$/.test(g));
    expect(writes.every((g) => /\/(ingresses\/status|events):(update|patch|create)$/.test(g))).toBe(true);
    const binding = find('ClusterRoleBinding', 'vipcheck-proxy');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vipcheck-proxy', namespace: 'vipcheck-ingress' }]);
    expect(find('Deployment', 'vipcheck-proxy').spec.template.spec.serviceAccountName).toBe('vipcheck-proxy');
  });
});
