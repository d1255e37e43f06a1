// The proxy's Prometheus metrics, kept in a few plain maps and rendered in the
// text exposition format (version 0.0.4). Small on purpose: no client library.

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ProxyMetrics {
  readonly #requests = new Map<string, number>();
  readonly #upstreamErrors = new Map<string, number>();
  readonly #bucketCounts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  #latencyCount = 0;
  #latencySum = 0;
  #retries = 0;
  #reloads = 0;
  #reloadErrors = 0;
  #routes = 0;
  #inFlight = 0;
  #tlsHandshakeErrors = 0;

  /** One finished request with its final status ("499" when the client went away first). */
  countRequest(status: number): void {
    const code = String(status);
    this.#requests.set(code, (this.#requests.get(code) ?? 0) + 1);
  }

  requestCount(status: number): number {
    return this.#requests.get(String(status)) ?? 0;
  }

  /** Time from sending a request upstream to its response head. */
  observeUpstreamLatency(seconds: number): void {
    this.#latencyCount++;
    this.#latencySum += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) this.#bucketCounts[i]++;
  }

  countUpstreamError(kind: string): void {
    this.#upstreamErrors.set(kind, (this.#upstreamErrors.get(kind) ?? 0) + 1);
  }

  countRetry(): void {
    this.#retries++;
  }

  countReload(ok: boolean, routes: number): void {
    if (ok) {
      this.#reloads++;
      this.#routes = routes;
    } else this.#reloadErrors++;
  }

  countTlsHandshakeError(): void {
    this.#tlsHandshakeErrors++;
  }

  requestStarted(): void {
    this.#inFlight++;
  }

  requestEnded(): void {
    this.#inFlight--;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('vipcheck_proxy_requests_total', 'counter', 'Requests answered, by HTTP status code.');
    for (const [code, n] of [...this.#requests].sort()) lines.push(`vipcheck_proxy_requests_total{code="${code}"} ${n}`);
    family('vipcheck_proxy_upstream_latency_seconds', 'histogram', 'Time from sending a request upstream to receiving its response head.');
    LATENCY_BUCKETS.forEach((le, i) => lines.push(`vipcheck_proxy_upstream_latency_seconds_bucket{le="${le}"} ${this.#bucketCounts[i]}`));
    lines.push(`vipcheck_proxy_upstream_latency_seconds_bucket{le="+Inf"} ${this.#latencyCount}`);
    lines.push(`vipcheck_proxy_upstream_latency_seconds_sum ${this.#latencySum}`);
    lines.push(`vipcheck_proxy_upstream_latency_seconds_count ${this.#latencyCount}`);
    family('vipcheck_proxy_upstream_errors_total', 'counter', 'Failed upstream attempts, by kind.');
    for (const [kind, n] of [...this.#upstreamErrors].sort()) lines.push(`vipcheck_proxy_upstream_errors_total{kind="${kind}"} ${n}`);
    family('vipcheck_proxy_upstream_retries_total', 'counter', 'Requests retried on another endpoint.');
    lines.push(`vipcheck_proxy_upstream_retries_total ${this.#retries}`);
    family('vipcheck_proxy_requests_in_flight', 'gauge', 'Requests being answered now.');
    lines.push(`vipcheck_proxy_requests_in_flight ${this.#inFlight}`);
    family('vipcheck_proxy_config_reloads_total', 'counter', 'Routing snapshots applied.');
    lines.push(`vipcheck_proxy_config_reloads_total ${this.#reloads}`);
    family('vipcheck_proxy_config_reload_errors_total', 'counter', 'Routing snapshots that failed to build.');
    lines.push(`vipcheck_proxy_config_reload_errors_total ${this.#reloadErrors}`);
    family('vipcheck_proxy_routes', 'gauge', 'Routes in the current routing table.');
    lines.push(`vipcheck_proxy_routes ${this.#routes}`);
    family('vipcheck_proxy_tls_handshake_errors_total', 'counter', 'TLS handshakes that failed.');
    lines.push(`vipcheck_proxy_tls_handshake_errors_total ${this.#tlsHandshakeErrors}`);
    return `${lines.join('\n')}\n`;
  }
}
