import { describe, expect, it } from 'vitest';
import { parseSettings } from './main.ts';

describe('parseSettings', () => {
  it('takes flags first, then the environment, then defaults', () => {
    expect(parseSettings(['controller'], {})).toEqual({
      role: 'controller', metricsPort: 7472, metricsHost: '0.0.0.0', configNamespace: 'metallb-system', configName: 'config', apiTimeoutSec: 60,
    });
    expect(parseSettings(['speaker'], { NODE_NAME: 'vc-node-1', NODE_IP: '198.18.0.11', METRICS_PORT: '9000', CONFIG_NAME: 'lb' })).toEqual({
      role: 'speaker', nodeName: 'vc-node-1', nodeAddress: '198.18.0.11', metricsPort: 9000, metricsHost: '0.0.0.0',
      configNamespace: 'metallb-system', configName: 'lb', apiTimeoutSec: 60,
    });
    expect(parseSettings(['speaker', '--node-name', 'a', '--metrics-port', '0', '--kubeconfig', '/k', '--config-namespace', 'lb', '--api-timeout', '5'], { NODE_NAME: 'b' }))
      .toMatchObject({ nodeName: 'a', metricsPort: 0, kubeconfig: '/k', configNamespace: 'lb', apiTimeoutSec: 5 });
  });

  it('refuses bad usage with a reason', () => {
    expect(() => parseSettings([], {})).toThrow('expected exactly one role, "controller" or "speaker"; got none');
    expect(() => parseSettings(['router'], {})).toThrow('got "router"');
    expect(() => parseSettings(['speaker'], {})).toThrow('the speaker needs its node name');
    expect(() => parseSettings(['speaker', '--node-name', 'a', '--node-address', 'x'], {})).toThrow('node address "x" is not an IPv4 address');
    expect(() => parseSettings(['controller', '--metrics-port', '70000'], {})).toThrow('--metrics-port "70000" is not a port number');
    expect(() => parseSettings(['controller', '--bogus'], {})).toThrow("Unknown option '--bogus'");
  });
});
