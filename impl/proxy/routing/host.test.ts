import { describe, expect, it } from 'vitest';
import { isIpLiteral, parseRuleHost, requestHostName, ruleHostMatches, wildcardSuffixOf } from './host.ts';

describe('hosts', () => {
  it('normalizes request hosts', () => {
    expect(requestHostName('Foo.Example:8080')).toBe('foo.example');
    expect(requestHostName('foo.example.')).toBe('foo.example');
    expect(requestHostName('[::1]:80')).toBe('[::1]');
    expect(requestHostName('198.18.0.10:80')).toBe('198.18.0.10');
    expect(requestHostName(undefined)).toBe('');
  });

  it('tells IP literals from host names', () => {
    for (const host of ['198.18.0.10:80', '198.18.0.10', '[2001:db8::1]:8080', '[2001:DB8::1]', '[::1]']) expect(isIpLiteral(requestHostName(host)), host).toBe(true);
    for (const host of ['foo.example', '1.example', '198.18.0.10.nip.io', 'localhost', '', '[not-an-ip]']) expect(isIpLiteral(requestHostName(host)), host).toBe(false);
  });

  it('matches wildcards on exactly one label', () => {
    const wild = parseRuleHost('*.foo.com');
    expect(wild).toEqual({ kind: 'wildcard', suffix: 'foo.com' });
    expect(ruleHostMatches(wild, 'bar.foo.com')).toBe(true);
    expect(ruleHostMatches(wild, 'baz.bar.foo.com')).toBe(false);
    expect(ruleHostMatches(wild, 'foo.com')).toBe(false);
    expect(wildcardSuffixOf('localhost')).toBeUndefined();
    expect(ruleHostMatches(parseRuleHost(undefined), 'anything')).toBe(true);
    expect(ruleHostMatches(parseRuleHost('Foo.com'), 'foo.com')).toBe(true);
  });
});
