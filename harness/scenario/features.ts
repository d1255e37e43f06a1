// The features a target may claim. A scenario needs one feature (the one the
// report shows) and possibly more; a target that does not claim them all
// gets `not-supported` for it.
export const FEATURES = {
  'ingress-core': 'Ingress routing by host and path (Exact, Prefix), IngressClass by name, status, backends by port name/number, updates',
  'ingress-path-implementation-specific': 'pathType ImplementationSpecific, with the behaviour the target documents',
  'ingress-class-default': 'an IngressClass marked default serves class-less Ingresses',
  'ingress-class-annotation': 'the legacy kubernetes.io/ingress.class annotation',
  'ingress-tls': 'TLS termination with certificates from Secrets, chosen by SNI',
  'ingress-backend-unavailable': '503 for a Service without ready endpoints or that does not exist',
  'ingress-forwarded-headers': 'X-Forwarded-For / -Proto and the original Host reach the backend',
  'ingress-websocket': 'HTTP Upgrade to WebSocket passes through',
  'lb-bgp': 'LoadBalancer addresses from a MetalLB ConfigMap, announced over BGP',
  'lb-shared-ip': 'metallb.universe.tf/allow-shared-ip',
  'lb-bgp-advertisements': 'bgp-advertisements: aggregation-length, communities, localpref',
  'lb-node-selectors': 'node-selectors on BGP peers',
  'ingress-server-header': 'every answer names the proxy in a Server header when the backend sets none (optional in RFC 9110 §10.2.4; nginx, Envoy and HAProxy send one)',
  'lb-config-refusal-event': 'an invalid MetalLB ConfigMap is refused with a Warning Event on the ConfigMap, not only in a log',
} as const;

export type Feature = keyof typeof FEATURES;

export const ALL_FEATURES = Object.keys(FEATURES) as Feature[];

export function isFeature(name: string): name is Feature {
  return name in FEATURES;
}
