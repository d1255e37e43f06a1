// The manifests in fixtures/metallb must start this implementation the way
// main.ts expects and carry a config it accepts.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/parse.ts';
import { parseSettings } from './main.ts';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/metallb');

type Doc = Record<string, any>;
function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as Doc;
  });
}
const all = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).flatMap(load);
const find = (kind: string, name: string) => all.find((d) => d.kind === kind && d.metadata.name === name)!;

describe('fixtures/metallb', () => {
  it('has an example ConfigMap that the parser accepts', () => {
    const cm = find('ConfigMap', 'config');
    expect(cm.metadata.namespace).toBe('metallb-system');
    const config = parseConfig(cm.data.config);
    expect(config.peers.map((p) => [p.peerAddress, p.peerAsn, p.myAsn])).toEqual([['198.18.0.1', 64512, 64513]]);
    expect(config.pools.map((p) => [p.name, p.addresses.map((a) => a.text)])).toEqual([['default', ['198.19.0.0/24']]]);
  });

  it('starts the controller and the speaker with arguments main.ts accepts', () => {
    const controller = find('Deployment', 'controller').spec.template.spec;
    expect(find('Deployment', 'controller').spec.replicas).toBe(1);
    expect(controller.containers[0].image).toBe('vipcheck/speaker:0.1.0');
    expect(parseSettings(controller.containers[0].args, {}).role).toBe('controller');

    const speaker = find('DaemonSet', 'speaker').spec.template.spec;
    expect(speaker.hostNetwork).toBe(true);
    const env = Object.fromEntries(speaker.containers[0].env.map((e: Doc) => [e.name, e.valueFrom.fieldRef.fieldPath]));
    expect(env).toMatchObject({ NODE_NAME: 'spec.nodeName', NODE_IP: 'status.hostIP' });
    expect(parseSettings(speaker.containers[0].args, { NODE_NAME: 'n', NODE_IP: '198.18.0.10' })).toMatchObject({ role: 'speaker', nodeName: 'n', metricsPort: 7473 });
  });

  it('grants each role only what it uses', () => {
    const rules = (name: string) => find('ClusterRole', name).rules.map((r: Doc) => `${r.apiGroups.join(',')}|${r.resources.join(',')}|${r.verbs.join(',')}`);
    expect(rules('metallb-system:controller')).toEqual(['|services|get,list,watch', '|services/status|update,patch', '|events|create,patch']);
    expect(rules('metallb-system:speaker')).toEqual(['|services,nodes|get,list,watch', 'discovery.k8s.io|endpointslices|get,list,watch', '|events|create,patch']);
    expect(find('Role', 'config-watcher').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    expect(find('RoleBinding', 'config-watcher').subjects.map((s: Doc) => s.name)).toEqual(['controller', 'speaker']);
  });
});
