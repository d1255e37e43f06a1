import { describe, expect, it } from 'vitest';
import { parseArgs, parseWrk } from './bench-proxy.ts';

const sample = `Running 5s test @ http://127.0.0.1:18081/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.35ms    5.12ms  58.99ms   93.21%
    Req/Sec     7.34k   512.11     8.01k    80.00%
  Latency Distribution
     50%  760.00us
     75%    1.20ms
     90%    2.50ms
     99%   58.99ms
  36512 requests in 5.00s, 20.11MB read
  Socket errors: connect 0, read 2, write 1, timeout 0
  Non-2xx or 3xx responses: 4
Requests/sec:   7309.08
Transfer/sec:      4.02MB
`;

describe('parseWrk', () => {
  it('reads throughput, percentiles in any unit, and errors', () => {
    expect(parseWrk(sample)).toEqual({ rps: 7309.08, p50Ms: 0.76, p90Ms: 2.5, p99Ms: 58.99, non2xx: 4, errors: 3 });
    expect(parseWrk(sample.replace('99%   58.99ms', '99%    1.20s')).p99Ms).toBe(1200);
  });

  it('refuses output without the numbers', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow('no Requests/sec');
  });
});

describe('bench-proxy arguments', () => {
  it('pins by default on a multi-CPU machine, not with --no-pin, and refuses unbounded or unknown settings', () => {
    expect(parseArgs(['--rounds', '3', '--no-pin'])).toMatchObject({ rounds: 3, pin: false, duration: 8 });
    expect(() => parseArgs(['--duration', '60'])).toThrow('bench-proxy: a measurement is bounded to 10 s');
    expect(() => parseArgs(['--pin'])).toThrow(/^bench-proxy: bad argument "--pin /);
  });
});
