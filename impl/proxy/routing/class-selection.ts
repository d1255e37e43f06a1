// Which Ingresses this controller serves. An IngressClass is ours when its
// spec.controller is our controller name. An Ingress is ours when
//  1. spec.ingressClassName names one of our IngressClasses, else
//  2. (no ingressClassName) its kubernetes.io/ingress.class annotation names
//     one of our IngressClasses or equals the --ingress-class value, else
//  3. (neither set) one of our IngressClasses carries
//     ingressclass.kubernetes.io/is-default-class: "true".
// Everything else is ignored entirely: never routed, never given status.
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';

export const DEFAULT_CONTROLLER_NAME = 'vipcheck.dev/reference-proxy';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export interface ClassSelectionConfig {
  /** spec.controller value of our IngressClasses. */
  controllerName: string;
  /** Extra value accepted in the legacy annotation (the --ingress-class flag). */
  legacyClassName?: string;
}

export type ClassDecision =
  | { served: true; via: 'ingressClassName' | 'annotation' | 'default-class'; className: string }
  | { served: false; reason: string };

export interface OurClasses {
  names: ReadonlySet<string>;
  /** One of our classes marked default, when there is one. */
  defaultClass: string | undefined;
}

export function ourIngressClasses(classes: readonly V1IngressClass[], config: ClassSelectionConfig): OurClasses {
  const names = new Set<string>();
  const defaults: string[] = [];
  for (const cls of classes) {
    const name = cls.metadata?.name;
    if (!name || cls.spec?.controller !== config.controllerName) continue;
    names.add(name);
    if (cls.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') defaults.push(name);
  }
  return { names, defaultClass: defaults.sort()[0] };
}

export function classifyIngress(ingress: V1Ingress, ours: OurClasses, config: ClassSelectionConfig): ClassDecision {
  const className = ingress.spec?.ingressClassName;
  if (className) {
    return ours.names.has(className)
      ? { served: true, via: 'ingressClassName', className }
      : { served: false, reason: `ingressClassName "${className}" is not an IngressClass of controller ${config.controllerName}` };
  }
  const annotation = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (annotation) {
    return ours.names.has(annotation) || annotation === config.legacyClassName
      ? { served: true, via: 'annotation', className: annotation }
      : { served: false, reason: `annotation ${LEGACY_CLASS_ANNOTATION}="${annotation}" is not ours` };
  }
  return ours.defaultClass
    ? { served: true, via: 'default-class', className: ours.defaultClass }
    : { served: false, reason: 'no class given and none of our IngressClasses is the default' };
}

/** The Ingresses we serve, in input order. */
export function selectServedIngresses(
  ingresses: readonly V1Ingress[],
  classes: readonly V1IngressClass[],
  config: ClassSelectionConfig,
): V1Ingress[] {
  const ours = ourIngressClasses(classes, config);
  return ingresses.filter((ingress) => classifyIngress(ingress, ours, config).served);
}
