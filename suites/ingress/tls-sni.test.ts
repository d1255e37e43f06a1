import { scenario } from '../../harness/scenario/define.ts';
import { inspectCertificate } from '../../harness/traffic/client.ts';
import { issueCertificates, tlsSecret } from '../shared/tls-certificates.ts';

const HOST = 'tls-sni.example';

scenario({
  id: 'ingress-tls-sni',
  suite: 'ingress',
  feature: 'ingress-tls',
  description: "HTTPS to a TLS host presents the Secret's certificate (verified against its CA, SAN checked) and reaches the backend",
  fixtures: ['ingress/tls-sni.yaml'],
  async run(ctx) {
    const { ca, leaves: [leaf] } = await issueCertificates([HOST]);
    await ctx.kube.apply(tlsSecret(ctx.namespace, 'tls-sni', leaf));
    await ctx.echoBackend('app');
    const address = ctx.ingressAddress();

    await ctx.eventually(`the certificate of Secret tls-sni for SNI ${HOST}`, async () => {
      const served = await inspectCertificate({ address, sni: HOST, ca });
      const ok = served.authorized && served.fingerprint256 === leaf.fingerprint256 && served.subjectAltNames.includes(HOST);
      return { ok, observed: served };
    });
    await ctx.expectHttp('HTTPS reaches the backend', [
      { request: { address, scheme: 'https', port: 443, sni: HOST, ca, host: HOST, path: '/' }, expect: { backend: 'app' } },
    ]);
  },
});
