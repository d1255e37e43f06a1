import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { classifyIngress, ourIngressClasses, selectServedIngresses, type ClassSelectionConfig } from './class-selection.ts';

const config: ClassSelectionConfig = { controllerName: 'vipcheck.dev/reference-proxy', legacyClassName: 'legacy-flag' };

function cls(name: string, controller: string, isDefault = false): V1IngressClass {
  return {
    metadata: { name, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined },
    spec: { controller },
  };
}

function ing(name: string, className?: string, annotation?: string): V1Ingress {
  return {
    metadata: { name, namespace: 'default', annotations: annotation ? { 'kubernetes.io/ingress.class': annotation } : undefined },
    spec: { ingressClassName: className },
  };
}

const ours = cls('vipcheck', 'vipcheck.dev/reference-proxy');
const theirs = cls('nginx', 'k8s.io/ingress-nginx');

describe('class selection', () => {
  it('serves ingressClassName of our classes only', () => {
    const classes = ourIngressClasses([ours, theirs], config);
    expect(classifyIngress(ing('a', 'vipcheck'), classes, config)).toMatchObject({ served: true, via: 'ingressClassName' });
    expect(classifyIngress(ing('b', 'nginx'), classes, config)).toMatchObject({ served: false, reason: expect.stringContaining('"nginx"') });
    expect(classifyIngress(ing('c', 'missing-class'), classes, config).served).toBe(false);
  });

  it('serves class-less Ingresses only when one of our classes is the default', () => {
    expect(classifyIngress(ing('a'), ourIngressClasses([ours, theirs], config), config).served).toBe(false);
    const theirDefault = ourIngressClasses([ours, cls('nginx', 'k8s.io/ingress-nginx', true)], config);
    expect(classifyIngress(ing('a'), theirDefault, config).served).toBe(false);
    const ourDefault = ourIngressClasses([cls('vipcheck', config.controllerName, true), theirs], config);
    expect(classifyIngress(ing('a'), ourDefault, config)).toEqual({ served: true, via: 'default-class', className: 'vipcheck' });
    // an explicit other class is not taken by our default
    expect(classifyIngress(ing('b', 'nginx'), ourDefault, config).served).toBe(false);
  });

  it('honours the legacy annotation for our class names and the --ingress-class value', () => {
    const classes = ourIngressClasses([ours, theirs], config);
    expect(classifyIngress(ing('a', undefined, 'vipcheck'), classes, config)).toMatchObject({ served: true, via: 'annotation' });
    expect(classifyIngress(ing('b', undefined, 'legacy-flag'), classes, config)).toMatchObject({ served: true, via: 'annotation' });
    expect(classifyIngress(ing('c', undefined, 'nginx'), classes, config).served).toBe(false);
    // the annotation of another class is not overridden by our default class
    const ourDefault = ourIngressClasses([cls('vipcheck', config.controllerName, true)], config);
    expect(classifyIngress(ing('d', undefined, 'nginx'), ourDefault, config).served).toBe(false);
  });

  it('selects the served Ingresses in input order', () => {
    const served = selectServedIngresses([ing('x', 'nginx'), ing('y', 'vipcheck'), ing('z', undefined, 'vipcheck')], [ours, theirs], config);
    expect(served.map((i) => i.metadata!.name)).toEqual(['y', 'z']);
  });
});
