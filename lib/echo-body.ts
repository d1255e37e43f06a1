// The echo body: what a request looked like when it reached the backend and
// which pod served it. The echo backend writes it and the suites read it to
// decide who answered, so its shape is a contract between the two.

/** Who served the request: from the pod's environment (downward API), null where unset. */
export interface EchoIdentity {
  namespace: string | null;
  pod: string | null;
  node: string | null;
  podIP: string | null;
  service: string | null;
  ingress: string | null;
}

export interface EchoTls {
  serverName: string | null;
  version: string | null;
  cipher: string | null;
}

export interface EchoBody extends EchoIdentity {
  /** Request target as sent: path with query. */
  path: string;
  /** Host header (or :authority), null when absent. */
  host: string | null;
  method: string;
  /** e.g. "HTTP/1.1" */
  proto: string;
  /** Lower-case header name → every value in arrival order. */
  headers: Record<string, string[]>;
  remoteAddress: string | null;
  remotePort: number | null;
  tls: EchoTls | null;
  /** Request body as UTF-8 text, at most the configured bound. */
  body: string;
  /** Total body length in bytes, also beyond the bound. */
  bodyBytes: number;
  bodyTruncated: boolean;
}
