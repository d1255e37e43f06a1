import { describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { eventsSince, toObjectEvent } from './client.ts';

const event = (fields: Partial<CoreV1Event>): CoreV1Event => ({ involvedObject: {}, metadata: {}, ...fields });

describe('object events', () => {
  it('take their time from lastTimestamp, then the series, then eventTime, and their count', () => {
    expect(toObjectEvent(event({ reason: 'IPAllocated', message: 'm', type: 'Normal', count: 3, lastTimestamp: new Date('2026-11-26T10:00:05Z'), firstTimestamp: new Date('2026-11-26T10:00:00Z') })))
      .toEqual({ reason: 'IPAllocated', message: 'm', type: 'Normal', count: 3, lastSeen: new Date('2026-11-26T10:00:05Z') });
    expect(toObjectEvent(event({ eventTime: new Date('2026-11-26T10:00:01.250Z'), series: { count: 7, lastObservedTime: new Date('2026-11-26T10:00:09Z') } })))
      .toMatchObject({ count: 7, lastSeen: new Date('2026-11-26T10:00:09Z') });
    expect(toObjectEvent(event({ eventTime: new Date('2026-11-26T10:00:01.250Z') }))).toMatchObject({ count: 1, lastSeen: new Date('2026-11-26T10:00:01.250Z') });
    expect(toObjectEvent(event({})).lastSeen).toBeUndefined();
  });

  it('are sorted oldest first and filtered from the second of `since` on', () => {
    const at = (reason: string, iso?: string) => ({ reason, message: '', type: 'Normal', count: 1, lastSeen: iso ? new Date(iso) : undefined });
    const events = [at('c', '2026-11-26T10:00:07Z'), at('a', '2026-11-26T10:00:01Z'), at('b', '2026-11-26T10:00:05Z'), at('none')];
    expect(eventsSince(events).map((e) => e.reason)).toEqual(['none', 'a', 'b', 'c']);
    // lastTimestamp has whole seconds: an event of the same second as `since` may be after it, so it is kept.
    expect(eventsSince(events, new Date('2026-11-26T10:00:05.900Z')).map((e) => e.reason)).toEqual(['b', 'c']);
    expect(eventsSince(events, new Date('2026-11-26T10:00:08Z'))).toEqual([]);
  });
});
