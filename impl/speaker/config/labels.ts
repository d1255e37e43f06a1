// Kubernetes label syntax and label-selector matching, for peers' node-selectors.
import type { NodeSelector, SelectorRequirement } from './types.ts';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key ("[prefix/]name"), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key)} has an invalid prefix (must be a DNS subdomain of at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key ${JSON.stringify(key)} is invalid (name part: at most 63 characters, alphanumeric, '-', '_' or '.', starting and ending alphanumeric)`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `label value ${JSON.stringify(value)} is invalid (at most 63 characters, alphanumeric, '-', '_' or '.', starting and ending alphanumeric)`;
  }
  return undefined;
}

export function requirementMatches(requirement: SelectorRequirement, labels: Record<string, string>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case 'In':
      return present && requirement.values.includes(labels[requirement.key]);
    case 'NotIn':
      return !present || !requirement.values.includes(labels[requirement.key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}

export function selectorMatches(selector: NodeSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value || !Object.hasOwn(labels, key)) return false;
  }
  return selector.matchExpressions.every((requirement) => requirementMatches(requirement, labels));
}

/** A peer's selectors are ORed: the node qualifies if any one selector matches. */
export function anySelectorMatches(selectors: readonly NodeSelector[], labels: Record<string, string>): boolean {
  return selectors.some((selector) => selectorMatches(selector, labels));
}
