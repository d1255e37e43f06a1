// Builders of the Kubernetes objects a test feeds the proxy directly (no API
// server): an IngressClass of ours, Ingresses, Services with hand-made
// EndpointSlices pointing at real processes, TLS Secrets.
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Secret, V1Service } from '@kubernetes/client-node';
import { DEFAULT_CONTROLLER_NAME } from '../routing/class-selection.ts';
import { emptyClusterState, type ClusterState } from '../snapshot.ts';

export const TEST_CLASS = 'vipcheck';

export function ourClass(name = TEST_CLASS): V1IngressClass {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: DEFAULT_CONTROLLER_NAME } };
}

export interface TestPath {
  path: string;
  pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  service: string;
  port?: number | string;
}

export function testIngress(name: string, rules: { host?: string; paths: TestPath[] }[], options: { namespace?: string; tls?: { hosts: string[]; secretName: string }[] } = {}): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: options.namespace ?? 'default', creationTimestamp: new Date('2026-01-01T00:00:00Z'), uid: `uid-${name}` },
    spec: {
      ingressClassName: TEST_CLASS,
      tls: options.tls,
      rules: rules.map((rule) => ({
        host: rule.host,
        http: {
          paths: rule.paths.map((p) => ({
            path: p.path,
            pathType: p.pathType ?? 'Prefix',
            backend: { service: { name: p.service, port: typeof p.port === 'string' ? { name: p.port } : { number: p.port ?? 80 } } },
          })),
        },
      })),
    },
  };
}

export interface TestEndpoint {
  address: string;
  port: number;
  ready?: boolean;
  pod?: string;
}

/** A Service with one port (80, named "http") and one EndpointSlice per endpoint (so each may have its own port). */
export function testService(name: string, endpoints: TestEndpoint[], namespace = 'default'): { service: V1Service; slices: V1EndpointSlice[] } {
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
  const slices = endpoints.map((e, i): V1EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-${i}`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: e.port, protocol: 'TCP' }],
    endpoints: [{ addresses: [e.address], conditions: { ready: e.ready ?? true }, targetRef: e.pod ? { kind: 'Pod', name: e.pod, namespace } : undefined }],
  }));
  return { service, slices };
}

export function testTlsSecret(name: string, pem: { cert: string; key: string }, namespace = 'default'): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
  };
}

/** A state with our IngressClass, the given Ingresses, Services (with their slices) and Secrets. */
export function testState(parts: { ingresses: V1Ingress[]; services?: { service: V1Service; slices: V1EndpointSlice[] }[]; secrets?: V1Secret[] }): ClusterState {
  const state = emptyClusterState();
  state.ingressClasses.push(ourClass());
  state.ingresses.push(...parts.ingresses);
  for (const s of parts.services ?? []) {
    state.services.push(s.service);
    state.endpointSlices.push(...s.slices);
  }
  state.secrets.push(...(parts.secrets ?? []));
  return state;
}
