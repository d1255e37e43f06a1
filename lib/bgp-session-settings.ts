// The settings of one BGP session: what the reference speaker's session
// takes, and the flags of its BGP command line that the harness's speaker
// process spells (impl/speaker/bgp/cli.ts). A contract between the two.
export interface BgpSessionSettings {
  peerAddress: string;
  /** Default 179. */
  peerPort?: number;
  /** Source address to bind before dialling. */
  localAddress?: string;
  myAsn: number;
  peerAsn: number;
  routerId: string;
  /** Hold time we offer; the session uses min(ours, peer's); 0 disables hold and keepalive timers. Default 90. */
  holdTimeSec?: number;
  /** Default: negotiated hold time / 3. */
  keepaliveSec?: number;
  /** Base of the reconnect backoff (doubles per failure, jittered, capped at max(30 s, base)). Default 2. */
  connectRetrySec?: number;
}
