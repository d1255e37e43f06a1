// IP addresses of both families, prefixes and ranges: the one implementation
// the tree uses (see address.ts for how the two families are represented).
export { AddressError, type AddressKind } from './errors.ts';
export { formatIPv4, IPV4_BITS, ipv4Mask, isBuggyIPv4, maskIPv4, parseIPv4 } from './ipv4.ts';
export { formatIPv6, IPV6_BITS, IPV6_MAX, parseIPv6 } from './ipv6.ts';
export {
  bitsOf, compareAddresses, compareIP, familyOf, formatIP, isBuggyAddress, looksLikeIPv6, parseAddress, parseIP,
  type IpAddress, type IpFamily,
} from './address.ts';
export {
  formatPrefix, ipv6Mask, maskAddress, parseCidr, parsePrefix, prefixContains, prefixLast, prefixSize,
  type IpPrefix, type Ipv4Prefix, type Ipv6Prefix,
} from './prefix.ts';
export { parseRange, summarizeRange, type AddressRange } from './range.ts';
