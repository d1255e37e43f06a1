// Go's time.ParseDuration grammar ("90s", "1m30s", "1.5h", "0"), because the
// MetalLB ConfigMap format takes its durations from Go.

const UNIT_NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const TERM = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;

/** Parses a Go duration into seconds; throws an Error whose message says what is wrong. */
export function parseGoDuration(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration ${JSON.stringify(text)}`);
  let nanoseconds = 0;
  while (rest !== '') {
    const match = TERM.exec(rest);
    if (!match && /^\d*(\.\d*)?$/.test(rest)) throw new Error(`missing unit in duration ${JSON.stringify(text)}`);
    if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
      throw new Error(`invalid duration ${JSON.stringify(text)}`);
    }
    const unit = UNIT_NANOSECONDS[match[3]];
    if (unit === undefined) {
      throw new Error(`unknown unit ${JSON.stringify(match[3])} in duration ${JSON.stringify(text)} (use ns, us, ms, s, m, h)`);
    }
    const value = Number(`${match[1] || '0'}.${match[2] || '0'}`);
    nanoseconds += value * unit;
    rest = rest.slice(match[0].length);
  }
  return (sign * nanoseconds) / 1e9;
}
