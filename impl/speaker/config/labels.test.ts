import { describe, expect, it } from 'vitest';
import { anySelectorMatches, labelKeyProblem, labelValueProblem, selectorMatches } from './labels.ts';
import type { NodeSelector } from './types.ts';

const labels = { 'kubernetes.io/hostname': 'node-1', rack: 'r1', zone: 'a' };

describe('selectorMatches', () => {
  const cases: Array<[string, NodeSelector, boolean]> = [
    ['empty selector', { matchLabels: {}, matchExpressions: [] }, true],
    ['matching label', { matchLabels: { rack: 'r1' }, matchExpressions: [] }, true],
    ['wrong label value', { matchLabels: { rack: 'r2' }, matchExpressions: [] }, false],
    ['missing label', { matchLabels: { gpu: 'yes' }, matchExpressions: [] }, false],
    ['In hit', { matchLabels: {}, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['In miss', { matchLabels: {}, matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, false],
    ['In on absent key', { matchLabels: {}, matchExpressions: [{ key: 'gpu', operator: 'In', values: ['a'] }] }, false],
    ['NotIn hit', { matchLabels: {}, matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, false],
    ['NotIn miss', { matchLabels: {}, matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }, true],
    ['NotIn on absent key', { matchLabels: {}, matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchLabels: {}, matchExpressions: [{ key: 'rack', operator: 'Exists', values: [] }] }, true],
    ['Exists absent', { matchLabels: {}, matchExpressions: [{ key: 'gpu', operator: 'Exists', values: [] }] }, false],
    ['DoesNotExist', { matchLabels: {}, matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist', values: [] }] }, true],
    ['DoesNotExist present', { matchLabels: {}, matchExpressions: [{ key: 'rack', operator: 'DoesNotExist', values: [] }] }, false],
    ['AND: label ok, expression fails', { matchLabels: { rack: 'r1' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, false],
  ];
  it.each(cases)('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it('ORs selectors', () => {
    const miss: NodeSelector = { matchLabels: { rack: 'r9' }, matchExpressions: [] };
    const hit: NodeSelector = { matchLabels: { zone: 'a' }, matchExpressions: [] };
    expect(anySelectorMatches([miss, hit], labels)).toBe(true);
    expect(anySelectorMatches([miss], labels)).toBe(false);
    expect(anySelectorMatches([], labels)).toBe(false);
  });
});

describe('label syntax', () => {
  it('accepts valid keys and values', () => {
    expect(labelKeyProblem('kubernetes.io/hostname')).toBeUndefined();
    expect(labelKeyProblem('a')).toBeUndefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('node-1.x_y')).toBeUndefined();
  });
  it('refuses invalid keys and values', () => {
    expect(labelKeyProblem('/x')).toMatch('invalid prefix');
    expect(labelKeyProblem('Example.com/x')).toMatch('invalid prefix');
    expect(labelKeyProblem('x'.repeat(64))).toMatch('is invalid');
    expect(labelValueProblem('-a')).toMatch('is invalid');
  });
});
