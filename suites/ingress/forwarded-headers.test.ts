import { BlockList, isIPv4 } from 'node:net';
import { scenario } from '../../harness/scenario/define.ts';
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import type { HttpResponse } from '../../harness/traffic/client.ts';
import { publishedService } from '../shared/ingress-controller.ts';

/**
 * The addresses the controller can know the client by. With
 * externalTrafficPolicy Local on its Service that is the outside client's
 * address; with Cluster, kube-proxy masquerades external traffic, so it may be
 * an address of the node that forwarded it (InternalIP, or one in its pod CIDR
 * on the pod side). e2e-client-ip-preserved insists on the client under Local.
 */
async function clientAsSeen(ctx: ScenarioContext): Promise<{ addresses: BlockList; description: string }> {
  const client = ctx.runtime.vars.clientAddress;
  if (typeof client !== 'string') throw new Error(`the ${ctx.runtime.provider.name} provider gives no clientAddress variable: cannot tell which X-Forwarded-For is right`);
  const addresses = new BlockList();
  addresses.addAddress(client);
  const published = await publishedService(ctx);
  if (published.spec?.externalTrafficPolicy === 'Local') return { addresses, description: client };
  const nodes = (await ctx.kube.core.listNode()).items;
  const nodeIps = nodes.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && isIPv4(a.address)).map((a) => a.address));
  const podCidrs = nodes.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])).filter((c) => isIPv4(c.split('/')[0]));
  for (const ip of nodeIps) addresses.addAddress(ip);
  for (const cidr of podCidrs) addresses.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]));
  return { addresses, description: `${client} or, masqueraded by kube-proxy (externalTrafficPolicy Cluster), a node's address (${[...nodeIps, ...podCidrs].join(', ')})` };
}

scenario({
  id: 'ingress-forwarded-headers',
  suite: 'ingress',
  feature: 'ingress-forwarded-headers',
  description: "the backend sees the original Host, X-Forwarded-For ending with the client's address (as the controller can know it), and X-Forwarded-Proto",
  fixtures: ['ingress/forwarded-headers.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    const client = await clientAsSeen(ctx);
    const seen = ({ echo }: HttpResponse) => {
      const forwardedFor = (echo!.headers['x-forwarded-for'] ?? []).join(',').split(',').map((a) => a.trim()).filter(Boolean);
      const last = forwardedFor.at(-1);
      if (echo!.host !== 'forwarded-headers.example') return `backend saw Host ${JSON.stringify(echo!.host)}, want "forwarded-headers.example"`;
      if (!last || !isIPv4(last) || !client.addresses.check(last)) return `backend saw X-Forwarded-For ${JSON.stringify(echo!.headers['x-forwarded-for'])}, want it to end with ${client.description}`;
      if (echo!.headers['x-forwarded-proto']?.join(',') !== 'http') return `backend saw X-Forwarded-Proto ${JSON.stringify(echo!.headers['x-forwarded-proto'])}, want "http"`;
      return undefined;
    };
    await ctx.expectHttp('forwarded headers at the backend', [
      { request: { address: ctx.ingressAddress(), host: 'forwarded-headers.example', path: '/' }, expect: { backend: 'app', check: seen } },
    ]);
  },
});
