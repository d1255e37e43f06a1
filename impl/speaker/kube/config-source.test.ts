import { describe, expect, it } from 'vitest';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { ConfigLoader } from './config-source.ts';
import { MetricsRegistry } from '../metrics/metrics.ts';
import type { Config } from '../config/types.ts';

const GOOD = `address-pools:\n- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}\n`;
const GOOD2 = `${GOOD}- {name: extra, protocol: bgp, addresses: [198.19.1.0/24]}\n`;
const BAD = `address-pools:\n- {name: default, protocol: bgp, addresses: [198.19.0.0/24], colour: blue}\n`;

function cm(text: string | undefined, resourceVersion = '1'): V1ConfigMap {
  return { metadata: { namespace: 'metallb-system', name: 'config', resourceVersion }, ...(text !== undefined ? { data: { config: text } } : {}) };
}

function setup(refuse?: (config: Config) => string | undefined) {
  const applied: Config[] = [];
  const log: string[] = [];
  const refused: string[] = [];
  const metrics = new MetricsRegistry();
  const loader = new ConfigLoader((config) => {
    const reason = refuse?.(config);
    if (reason) throw new Error(reason);
    applied.push(config);
  }, (line) => log.push(line), metrics, (_configMap, message) => refused.push(message));
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.render())?.[1]);
  return { loader, applied, log, refused, metric };
}

describe('ConfigLoader', () => {
  it('loads a good config and reports it', () => {
    const { loader, applied, log, metric } = setup();
    expect(metric('vipcheck_speaker_config_loaded_timestamp_seconds')).toBe(0);
    loader.update(cm(GOOD));
    expect(applied).toHaveLength(1);
    expect(loader.current?.pools[0].name).toBe('default');
    expect(loader.stale).toBe(false);
    expect(metric('vipcheck_speaker_config_stale')).toBe(0);
    expect(metric('vipcheck_speaker_config_loaded_timestamp_seconds')).toBeGreaterThan(1.7e9);
    expect(log).toEqual(['config loaded: 0 peer(s), 1 pool(s) [default]']);
  });

  it('keeps the last good config when a bad one arrives: log line, Event, stale metric', () => {
    const { loader, applied, log, refused, metric } = setup();
    loader.update(cm(GOOD));
    loader.update(cm(BAD, '2'));
    expect(applied).toHaveLength(1);
    expect(loader.current?.pools.map((p) => p.name)).toEqual(['default']);
    expect(loader.stale).toBe(true);
    expect(metric('vipcheck_speaker_config_stale')).toBe(1);
    const expected = 'address-pools[0].colour: unknown field (known fields: name, protocol, addresses, auto-assign, avoid-buggy-ips, bgp-advertisements)';
    expect(log[1]).toBe(`config (re)load failed, config marked stale: ${expected}`);
    expect(refused).toEqual([expected]);
    // A good config clears the stale flag.
    loader.update(cm(GOOD2, '3'));
    expect(loader.stale).toBe(false);
    expect(metric('vipcheck_speaker_config_stale')).toBe(0);
    expect(log[2]).toBe('config loaded (no longer stale): 0 peer(s), 2 pool(s) [default, extra]');
  });

  it('refuses a config the role cannot apply, and retries it on request', () => {
    let blocked = true;
    const { loader, applied, refused } = setup(() => (blocked ? 'service "ns/a" holds 198.19.0.7, which no pool of the new config contains' : undefined));
    loader.update(cm(GOOD));
    expect(applied).toHaveLength(0);
    expect(refused).toHaveLength(1);
    loader.retry();
    expect(refused).toHaveLength(1); // same error: reported once
    blocked = false;
    loader.retry();
    expect(applied).toHaveLength(1);
    expect(loader.stale).toBe(false);
  });

  it('refuses a ConfigMap without the config key', () => {
    const { loader, refused } = setup();
    loader.update(cm(undefined));
    expect(refused).toEqual(['ConfigMap metallb-system/config has no key "config"']);
    expect(loader.current).toBeUndefined();
  });

  it('keeps the last good config when the ConfigMap is deleted', () => {
    const { loader, log, metric } = setup();
    loader.update(cm(GOOD));
    loader.deleted(cm(GOOD));
    expect(loader.current?.pools).toHaveLength(1);
    expect(metric('vipcheck_speaker_config_stale')).toBe(1);
    expect(log[1]).toBe('config (re)load failed, config marked stale: ConfigMap metallb-system/config was deleted; keeping the last good config');
  });

  it('does not re-apply an unchanged config', () => {
    const { loader, applied } = setup();
    loader.update(cm(GOOD, '1'));
    loader.update(cm(GOOD, '2'));
    expect(applied).toHaveLength(1);
  });
});
