// The path attribute list of an UPDATE (RFC 4271 §4.3, §5, §6.3): the framing
// every attribute shares — header and extended length, category flags,
// length rules, duplicates, unrecognized attributes — around the per-attribute
// descriptors of attributes.ts.
import {
  AttributeFlag, attributeDescriptor, attributeName, Category, checkUint, PATH_ATTRIBUTES,
  type AttributeDescriptor, type AttributeField, type AttributeInput, type CodecOptions, type LengthRule, type PathAttributes,
} from './attributes.ts';
import { UpdateSubcode, updateError } from './errors.ts';

/** Why `length` breaks the rule ("expected 4"), or undefined when it does not. */
function lengthProblem(rule: LengthRule | undefined, length: number, options: CodecOptions): string | undefined {
  if (rule === undefined) return undefined;
  if ('exactly' in rule) {
    const wanted = rule.exactly(options);
    return length === wanted ? undefined : `${wanted}`;
  }
  return length > 0 && length % rule.nonZeroMultipleOf === 0 ? undefined : `a non-zero multiple of ${rule.nonZeroMultipleOf}`;
}

/** Decodes the attributes between `start` and `end`; `seen` holds every type code present (for the mandatory-attribute check). */
export function decodePathAttributes(message: Buffer, start: number, end: number, options: CodecOptions): { attributes: PathAttributes; seen: Set<number> } {
  const attributes: PathAttributes = {};
  const seen = new Set<number>();
  let p = start;
  while (p < end) {
    if (p + 3 > end) throw updateError(UpdateSubcode.MalformedAttributeList, 'truncated attribute header', p);
    const flags = message[p];
    const type = message[p + 1];
    const extended = (flags & AttributeFlag.ExtendedLength) !== 0;
    const headerLength = extended ? 4 : 3;
    if (p + headerLength > end) throw updateError(UpdateSubcode.MalformedAttributeList, 'truncated extended-length attribute header', p);
    const length = extended ? message.readUInt16BE(p + 2) : message[p + 2];
    const valueStart = p + headerLength;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      throw updateError(UpdateSubcode.MalformedAttributeList,
        `${attributeName(type)} of length ${length} overruns the path attributes by ${valueEnd - end} octets`, p);
    }
    // RFC 7606 §3 (g) would keep the first and discard the rest.
    if (seen.has(type)) throw updateError(UpdateSubcode.MalformedAttributeList, `${attributeName(type)} appears more than once`, p, undefined, 'attribute-discard');
    seen.add(type);
    const attributeStart = p;
    const whole = () => Buffer.from(message.subarray(attributeStart, valueEnd));
    const descriptor = attributeDescriptor(type);
    if (!descriptor) {
      keepUnrecognized(attributes, flags, type, message.subarray(valueStart, valueEnd), p, whole);
      p = valueEnd;
      continue;
    }
    const fail = (subcode: number, detail: string, offset: number, withAttribute = false) =>
      updateError(subcode, detail, offset, withAttribute ? whole() : undefined, descriptor.onMalformed);
    const category = flags & (AttributeFlag.Optional | AttributeFlag.Transitive);
    const partialAllowed = descriptor.category === Category.OptionalTransitive;
    if (category !== descriptor.category || (!partialAllowed && (flags & AttributeFlag.Partial) !== 0)) {
      throw fail(UpdateSubcode.AttributeFlagsError, `${descriptor.name} has flags 0x${flags.toString(16).padStart(2, '0')}, which contradict its category`, p, true);
    }
    const expected = lengthProblem(descriptor.length, length, options);
    if (expected !== undefined) throw fail(UpdateSubcode.AttributeLengthError, `${descriptor.name} has length ${length}, expected ${expected}`, p, true);
    const input: AttributeInput = { message, start: valueStart, end: valueEnd, options, error: fail };
    (attributes as Record<AttributeField, unknown>)[descriptor.field] = descriptor.decode(input);
    p = valueEnd;
  }
  return { attributes, seen };
}

/** RFC 4271 §5: an unrecognized well-known attribute is an error, an optional transitive one is kept with the Partial bit, an optional non-transitive one is dropped. */
function keepUnrecognized(attributes: PathAttributes, flags: number, type: number, value: Buffer, offset: number, whole: () => Buffer): void {
  if ((flags & AttributeFlag.Optional) === 0) {
    throw updateError(UpdateSubcode.UnrecognizedWellKnownAttribute, `unrecognized well-known attribute type ${type}`, offset, whole());
  }
  if ((flags & AttributeFlag.Transitive) !== 0) {
    (attributes.other ??= []).push({ flags: (flags & 0xe0) | AttributeFlag.Partial, type, value: Buffer.from(value) });
  }
}

interface EncodedAttribute {
  type: number;
  flags: number;
  value: Buffer;
}

/** Encodes the path attributes (without the total length field), ordered by type code. */
export function encodePathAttributes(attributes: PathAttributes, options: CodecOptions): Buffer {
  const list: EncodedAttribute[] = [];
  for (const descriptor of PATH_ATTRIBUTES) {
    const value = attributes[descriptor.field];
    if (value === undefined) continue;
    const encoded = (descriptor as AttributeDescriptor<typeof descriptor.field>).encode(value as never, options);
    if (encoded !== undefined) list.push({ type: descriptor.code, flags: descriptor.category, value: encoded });
  }
  for (const other of attributes.other ?? []) {
    if (attributeDescriptor(other.type)) throw new RangeError(`attribute type ${other.type} is ${attributeName(other.type)}; set it by name, not in "other"`);
    list.push({ type: checkUint(other.type, 8, 'attribute type'), flags: checkUint(other.flags, 8, 'attribute flags') & 0xe0, value: other.value });
  }
  list.sort((a, b) => a.type - b.type);
  const parts: Buffer[] = [];
  for (const { type, flags, value } of list) {
    if (value.length > 0xffff) throw new RangeError(`${attributeName(type)} value of ${value.length} octets is too long`);
    const extended = value.length > 255;
    const header = Buffer.alloc(extended ? 4 : 3);
    header[0] = extended ? flags | AttributeFlag.ExtendedLength : flags;
    header[1] = type;
    if (extended) header.writeUInt16BE(value.length, 2);
    else header[2] = value.length;
    parts.push(header, value);
  }
  return Buffer.concat(parts);
}
