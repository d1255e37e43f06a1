// What this speaker wants the peer to know (its Adj-RIB-Out), the changes not
// yet sent, and how to pack them into as few UPDATE messages as fit in 4096
// octets: prefixes that share attributes travel together.
import {
  encodeMessage, encodePathAttributes, MAX_MESSAGE_LENGTH, updateSize, type CodecOptions, type PathAttributes,
} from './codec.ts';
import { parsePrefix } from '../../../lib/net/index.ts';
import { encodedPrefixSize } from './prefix.ts';

/** Attributes a caller may set per announced prefix. */
export interface RouteAttributes {
  localPref?: number;
  /** RFC 1997 communities, uint32 each (a:b = a << 16 | b). */
  communities?: number[];
}

/** Validates and normalizes caller-given attributes (communities de-duplicated, order kept). */
export function normalizeRouteAttributes(attributes: RouteAttributes = {}, where = 'route attributes'): RouteAttributes {
  const result: RouteAttributes = {};
  if (attributes.localPref !== undefined) {
    if (!Number.isInteger(attributes.localPref) || attributes.localPref < 0 || attributes.localPref > 0xffffffff) {
      throw new Error(`${where}: localPref ${attributes.localPref} is not an integer from 0 to 4294967295`);
    }
    result.localPref = attributes.localPref;
  }
  if (attributes.communities !== undefined && attributes.communities.length > 0) {
    for (const c of attributes.communities) {
      if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new Error(`${where}: community ${c} is not a uint32 (a:b = a << 16 | b)`);
    }
    result.communities = [...new Set(attributes.communities)];
  }
  return result;
}

function attributesKey(attributes: RouteAttributes): string {
  return `${attributes.localPref ?? ''}|${(attributes.communities ?? []).join(',')}`;
}

function sameAttributes(a: RouteAttributes, b: RouteAttributes): boolean {
  return attributesKey(a) === attributesKey(b);
}

export interface RouteGroup {
  attributes: RouteAttributes;
  prefixes: string[];
}

export interface PendingChanges {
  withdrawn: string[];
  announced: RouteGroup[];
}

export class AdjRibOut {
  private readonly desired = new Map<string, RouteAttributes>();
  private readonly toAnnounce = new Set<string>();
  private readonly toWithdraw = new Set<string>();

  /** Records a desired route; returns whether anything changed. Throws on a malformed prefix or attribute. */
  announce(prefix: string, attributes?: RouteAttributes): boolean {
    parsePrefix(prefix, 4);
    const normalized = normalizeRouteAttributes(attributes, `announce ${prefix}`);
    const current = this.desired.get(prefix);
    if (current && sameAttributes(current, normalized)) return false;
    this.desired.set(prefix, normalized);
    this.toWithdraw.delete(prefix);
    this.toAnnounce.add(prefix);
    return true;
  }

  /** Removes a desired route; returns whether it was there. */
  withdraw(prefix: string): boolean {
    parsePrefix(prefix, 4);
    if (!this.desired.delete(prefix)) return false;
    this.toAnnounce.delete(prefix);
    this.toWithdraw.add(prefix);
    return true;
  }

  has(prefix: string): boolean {
    return this.desired.has(prefix);
  }

  get size(): number {
    return this.desired.size;
  }

  /** A copy of every desired route. */
  snapshot(): Map<string, RouteAttributes> {
    const copy = new Map<string, RouteAttributes>();
    for (const [prefix, attributes] of this.desired) copy.set(prefix, { ...attributes, communities: attributes.communities && [...attributes.communities] });
    return copy;
  }

  get hasPending(): boolean {
    return this.toAnnounce.size > 0 || this.toWithdraw.size > 0;
  }

  /** The changes since the last take, grouped by attributes; clears them. */
  takePending(): PendingChanges {
    const withdrawn = [...this.toWithdraw];
    const announced = group([...this.toAnnounce].map((prefix) => [prefix, this.desired.get(prefix)!]));
    this.toWithdraw.clear();
    this.toAnnounce.clear();
    return { withdrawn, announced };
  }

  /** Everything, for a fresh session (or a ROUTE-REFRESH); clears pending changes, which it includes. */
  takeAll(): PendingChanges {
    this.toWithdraw.clear();
    this.toAnnounce.clear();
    return { withdrawn: [], announced: group([...this.desired]) };
  }
}

function group(entries: [string, RouteAttributes][]): RouteGroup[] {
  const groups = new Map<string, RouteGroup>();
  for (const [prefix, attributes] of entries) {
    const key = attributesKey(attributes);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { attributes, prefixes: [] }));
    g.prefixes.push(prefix);
  }
  return [...groups.values()];
}

/**
 * Packs changes into UPDATE messages no larger than 4096 octets: first the
 * withdrawals (withdrawn routes only), then one run of messages per group of
 * prefixes sharing path attributes. `pathAttributes` turns a group's
 * caller-level attributes into the wire attributes for this session.
 */
export function packUpdates(changes: PendingChanges, pathAttributes: (route: RouteAttributes) => PathAttributes, options: CodecOptions): Buffer[] {
  const messages: Buffer[] = [];
  const emptyUpdate = updateSize(0, 0, 0);
  for (const chunk of chunks(changes.withdrawn, MAX_MESSAGE_LENGTH - emptyUpdate)) {
    messages.push(encodeMessage({ type: 'update', withdrawn: chunk, attributes: {}, nlri: [] }, options));
  }
  for (const g of changes.announced) {
    const attributes = pathAttributes(g.attributes);
    const room = MAX_MESSAGE_LENGTH - updateSize(0, encodePathAttributes(attributes, options).length, 0);
    if (room < encodedPrefixSize(32)) throw new RangeError('path attributes leave no room for NLRI in a 4096-octet UPDATE');
    for (const chunk of chunks(g.prefixes, room)) {
      messages.push(encodeMessage({ type: 'update', withdrawn: [], attributes, nlri: chunk }, options));
    }
  }
  return messages;
}

/** Splits prefixes into runs whose encoded size fits in `room` octets. */
function* chunks(prefixes: string[], room: number): Generator<string[]> {
  let current: string[] = [];
  let used = 0;
  for (const prefix of prefixes) {
    const size = encodedPrefixSize(parsePrefix(prefix, 4).length);
    if (used + size > room && current.length > 0) {
      yield current;
      current = [];
      used = 0;
    }
    current.push(prefix);
    used += size;
  }
  if (current.length > 0) yield current;
}
