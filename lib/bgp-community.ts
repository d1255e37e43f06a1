// RFC 1997 BGP communities: a 32-bit value that people write as "a:b", two
// 16-bit halves (a:b = a × 65536 + b). One spelling for the speaker's config,
// its CLI and the harness's reading of the TOR's RIB.

const HALF = /^\d{1,5}$/;

/** A uint32, which is what a community is on the wire. */
export function isCommunityValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** "a:b" with a and b in 0..65535 → a × 65536 + b. Throws a message that names the input and the expected form. */
export function parseCommunity(text: string): number {
  const parts = text.split(':');
  if (parts.length === 3) {
    throw new Error(`${JSON.stringify(text)} looks like a large community, which this speaker does not support (use a:b)`);
  }
  const [high, low] = parts.map((part) => (HALF.test(part) ? Number(part) : NaN));
  if (parts.length !== 2 || !(high <= 0xffff) || !(low <= 0xffff)) {
    throw new Error(`${JSON.stringify(text)} is not a community (expected a:b with a and b in 0..65535)`);
  }
  return high * 65536 + low;
}

export function formatCommunity(value: number): string {
  return `${Math.floor(value / 65536)}:${value % 65536}`;
}
