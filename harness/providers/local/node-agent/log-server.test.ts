import { describe, expect, it } from 'vitest';
import { parseLogQuery } from './log-server.ts';

const now = new Date('2026-11-26T12:00:00Z');
const q = (s: string) => parseLogQuery(new URLSearchParams(s), now);

describe('parseLogQuery', () => {
  it('reads the PodLogOptions the apiserver forwards', () => {
    expect(q('follow=true&tailLines=5&limitBytes=100&previous=true&timestamps=true')).toEqual({
      follow: true, previous: true, timestamps: true, tailLines: 5, limitBytes: 100, sinceTime: undefined,
    });
    expect(q('')).toEqual({ follow: false, previous: false, timestamps: false, tailLines: undefined, limitBytes: undefined, sinceTime: undefined });
  });
  it('turns sinceSeconds into a time and accepts sinceTime', () => {
    expect(q('sinceSeconds=60').sinceTime).toEqual(new Date('2026-11-26T11:59:00Z'));
    expect(q('sinceTime=2026-11-26T10:00:00Z').sinceTime).toEqual(new Date('2026-11-26T10:00:00Z'));
  });
  it('accepts the old tail parameter', () => {
    expect(q('tail=3').tailLines).toBe(3);
    expect(q('tail=all').tailLines).toBeUndefined();
  });
  it.each([
    ['tailLines=-1', /tailLines must be a non-negative integer, got "-1"/],
    ['limitBytes=x', /limitBytes must be a non-negative integer/],
    ['sinceTime=yesterday', /sinceTime must be an RFC 3339 time/],
    ['sinceSeconds=5&sinceTime=2026-11-26T10:00:00Z', /at most one of sinceTime and sinceSeconds/],
  ])('rejects %s', (query, message) => {
    expect(() => q(query)).toThrow(message);
  });
});
