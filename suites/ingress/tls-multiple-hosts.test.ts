import { scenario } from '../../harness/scenario/define.ts';
import { inspectCertificate } from '../../harness/traffic/client.ts';
import { issueCertificates, tlsSecret } from '../shared/tls-certificates.ts';

const A = 'a.tls-multiple-hosts.example';
const B = 'b.tls-multiple-hosts.example';

scenario({
  id: 'ingress-tls-multiple-hosts',
  suite: 'ingress',
  feature: 'ingress-tls',
  description: 'two hosts with two Secrets: SNI picks the right certificate for each, and each reaches its backend',
  fixtures: ['ingress/tls-multiple-hosts.yaml'],
  async run(ctx) {
    const { ca, leaves: [certA, certB] } = await issueCertificates([A, B]);
    await ctx.kube.apply(tlsSecret(ctx.namespace, 'cert-a', certA));
    await ctx.kube.apply(tlsSecret(ctx.namespace, 'cert-b', certB));
    await Promise.all([ctx.echoBackend('a'), ctx.echoBackend('b')]);
    const address = ctx.ingressAddress();

    await ctx.eventually('each SNI to get its own certificate', async () => {
      const [servedA, servedB] = await Promise.all([inspectCertificate({ address, sni: A, ca }), inspectCertificate({ address, sni: B, ca })]);
      const ok = servedA.authorized && servedA.fingerprint256 === certA.fingerprint256
        && servedB.authorized && servedB.fingerprint256 === certB.fingerprint256;
      return { ok, observed: { [A]: servedA, [B]: servedB } };
    });
    const https = (host: string) => ({ address, scheme: 'https' as const, port: 443, sni: host, ca, host, path: '/' });
    await ctx.expectHttp('HTTPS to each host reaches its backend', [
      { request: https(A), expect: { backend: 'a' } },
      { request: https(B), expect: { backend: 'b' } },
    ]);
  },
});
