// The gobgpd config of the TOR container, made by the same generator as the
// local provider's TOR (harness/tor/config.ts) so both TORs behave the same:
// dynamic neighbors for the whole kind network (speakers dial in), multipath
// on. Only the addressing differs: the container's address on the kind
// network is assigned by Docker after the config is copied in, so gobgpd
// listens on every address of its own namespace.
import { torConfigToml, type TorBgpConfig } from '../../tor/config.ts';
import { NODE_ASN, TOR_ASN } from '../common/fixture-plan.ts';

/** BGP identifier only (RFC 6286): need not be an address the TOR holds. */
export const TOR_ROUTER_ID = '198.18.0.1';
/** Where fixtures/images/tor-entrypoint.sh reads the config. */
export const TOR_CONFIG_PATH = '/etc/gobgp/gobgpd.toml';

export interface KindTorOptions {
  /** The kind network's IPv4 subnet: every node in it may peer. */
  neighborPrefix: string;
  asn?: number;
  /** The speakers' my-asn; equal to asn for iBGP. */
  peerAsn?: number;
  holdTimeSec?: number;
}

export function kindTorBgpConfig(options: KindTorOptions): TorBgpConfig {
  const config: TorBgpConfig = {
    asn: options.asn ?? TOR_ASN,
    routerId: TOR_ROUTER_ID,
    listenAddress: '0.0.0.0',
    dynamicNeighborPrefix: options.neighborPrefix,
    peerAsn: options.peerAsn ?? NODE_ASN,
  };
  if (options.holdTimeSec !== undefined) config.holdTimeSec = options.holdTimeSec;
  return config;
}

export function kindTorConfigToml(options: KindTorOptions): string {
  return torConfigToml(kindTorBgpConfig(options));
}
