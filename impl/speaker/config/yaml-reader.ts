// Typed, strict reading of a YAML document by field path. The document is
// parsed with the failsafe schema (every scalar a string) so that typing is
// decided here, field by field, the way Go's yaml.UnmarshalStrict decides it
// for MetalLB: unknown keys and wrongly typed values are errors that name
// the field path.
import { Alias, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, Scalar } from 'yaml';

/** A refused configuration; `issues` lists every problem found, each naming its field path. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(issues.join('; '));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export type YamlValue = Node | null;

const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);
// YAML 1.1 booleans, which Go's yaml.v2 (and so MetalLB) accepts.
const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'n', 'N']);

export class YamlReader {
  readonly issues: string[] = [];
  readonly root: YamlValue;
  private readonly doc: Document;

  constructor(text: string) {
    this.doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: true });
    for (const error of [...this.doc.errors, ...this.doc.warnings]) {
      // The pretty message ends "at line L, column C:" followed by a source excerpt; keep the first line.
      const message = error.message.split('\n')[0].replace(/:$/, '');
      this.issues.push(`invalid YAML: ${message}${error.linePos ? '' : ` at offset ${error.pos[0]}`}`);
    }
    this.root = this.doc.errors.length > 0 ? null : this.resolve(this.doc.contents as YamlValue);
  }

  issue(path: string, message: string): void {
    this.issues.push(`${path}: ${message}`);
  }

  /** True when the node is absent or an explicit YAML null. */
  isNull(node: YamlValue | undefined): boolean {
    const n = this.resolve(node ?? null);
    return n === null || (isScalar(n) && n.type === Scalar.PLAIN && NULL_WORDS.has(String(n.value)));
  }

  /**
   * The fields of a mapping, keyed by name; keys outside `allowed` are reported
   * as unknown. Undefined (with an issue) when the node is not a mapping.
   */
  fields(node: YamlValue, path: string, allowed: readonly string[]): Map<string, YamlValue> | undefined {
    const map = this.resolve(node);
    if (!isMap(map)) {
      this.issue(path, `expected a mapping, got ${this.describe(map)}`);
      return undefined;
    }
    const result = new Map<string, YamlValue>();
    for (const pair of map.items) {
      const key = this.scalarText(pair.key as YamlValue);
      if (key === undefined) {
        this.issue(path, 'mapping keys must be plain strings');
        continue;
      }
      if (!allowed.includes(key)) {
        this.issue(join(path, key), `unknown field (known fields: ${allowed.join(', ')})`);
        continue;
      }
      const value = this.resolve(pair.value as YamlValue);
      if (!this.isNull(value)) result.set(key, value);
    }
    return result;
  }

  /** A mapping with arbitrary string keys (labels, community aliases). */
  stringMap(node: YamlValue, path: string): Map<string, string> | undefined {
    const map = this.resolve(node);
    if (!isMap(map)) {
      this.issue(path, `expected a mapping, got ${this.describe(map)}`);
      return undefined;
    }
    const result = new Map<string, string>();
    for (const pair of map.items) {
      const key = this.scalarText(pair.key as YamlValue);
      if (key === undefined) {
        this.issue(path, 'mapping keys must be plain strings');
        continue;
      }
      const value = this.string(pair.value as YamlValue, join(path, key));
      if (value !== undefined) result.set(key, value);
    }
    return result;
  }

  /** The items of a sequence, each with its own path. */
  list(node: YamlValue, path: string): Array<[YamlValue, string]> {
    const seq = this.resolve(node);
    if (this.isNull(seq)) return [];
    if (!isSeq(seq)) {
      this.issue(path, `expected a list, got ${this.describe(seq)}`);
      return [];
    }
    return seq.items.map((item, i) => [this.resolve(item as YamlValue), `${path}[${i}]`]);
  }

  /** Any scalar as its text (Go decodes a plain number into a string field as its text). */
  string(node: YamlValue, path: string): string | undefined {
    const text = this.scalarText(node);
    if (text === undefined) this.issue(path, `expected a string, got ${this.describe(this.resolve(node))}`);
    return text;
  }

  /** An unquoted decimal integer in [min, max]. */
  integer(node: YamlValue, path: string, min: number, max: number): number | undefined {
    const n = this.resolve(node);
    if (!isScalar(n) || n.type !== Scalar.PLAIN || !/^[+-]?\d+$/.test(String(n.value))) {
      this.issue(path, `expected an integer, got ${this.describe(n)}`);
      return undefined;
    }
    const value = Number(n.value);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.issue(path, `${String(n.value)} is out of range (${min}..${max})`);
      return undefined;
    }
    return value;
  }

  boolean(node: YamlValue, path: string): boolean | undefined {
    const n = this.resolve(node);
    if (isScalar(n) && n.type === Scalar.PLAIN) {
      const text = String(n.value);
      if (TRUE_WORDS.has(text)) return true;
      if (FALSE_WORDS.has(text)) return false;
    }
    this.issue(path, `expected true or false, got ${this.describe(n)}`);
    return undefined;
  }

  private scalarText(node: YamlValue): string | undefined {
    const n = this.resolve(node);
    return isScalar(n) ? String(n.value) : undefined;
  }

  private resolve(node: YamlValue): YamlValue {
    let current: unknown = node;
    // Aliases point at anchored nodes; follow them (a cycle cannot occur in a parsed document).
    for (let hops = 0; isAlias(current) && hops < 64; hops++) {
      current = (current as Alias).resolve(this.doc) ?? null;
    }
    return (current ?? null) as YamlValue;
  }

  private describe(node: YamlValue): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) return node.type === Scalar.PLAIN ? JSON.stringify(String(node.value)) : `the quoted string ${JSON.stringify(String(node.value))}`;
    return 'an unsupported YAML node';
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
