/**
 * Moodle's `other` column: event-specific data, stored PHP-serialize()d by
 * default, or JSON when the log store's `jsonformat` option is on. Read as:
 *
 *   empty, NULL, N;      → null                       (format 'empty')
 *   PHP serialized       → the value; arrays with keys 0..n-1 become lists,
 *                          other arrays and objects become objects (an
 *                          object's class is kept as "__class")  (format 'php')
 *   JSON                 → the value                  (format 'json')
 *   anything else        → the text, kept as it is    (format 'text')
 *
 * PHP string lengths count bytes, so the serialized form is parsed on the
 * field's bytes; each string inside is decoded with the import's rule.
 */
import { decodeField, withoutNul } from './text';

export type OtherFormat = 'empty' | 'php' | 'json' | 'text';

export interface ParsedOther {
  value: unknown;
  format: OtherFormat;
}

/** Thrown and caught within this file (a malformed value falls back to JSON or text): no stack trace, which cost more than the parse. */
class PhpParseError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** A small strict parser of PHP's serialize() format; throws on anything malformed. */
class PhpReader {
  private i = 0;
  /** Nesting guard: a hostile file cannot make the parser recurse without end. */
  private depth = 0;

  constructor(private readonly bytes: Buffer) {}

  parseAll(): unknown {
    const value = this.value();
    if (this.i !== this.bytes.length) throw new PhpParseError('trailing bytes');
    return value;
  }

  private expect(char: string): void {
    if (this.bytes[this.i] !== char.charCodeAt(0)) throw new PhpParseError(`expected ${char} at ${this.i}`);
    this.i++;
  }

  /** Bytes up to (not including) `terminator`, which is consumed. */
  private until(terminator: string): string {
    const end = this.bytes.indexOf(terminator.charCodeAt(0), this.i);
    if (end < 0) throw new PhpParseError(`no ${terminator} after ${this.i}`);
    const text = this.bytes.toString('latin1', this.i, end);
    this.i = end + 1;
    return text;
  }

  private int(terminator: string): number {
    const text = this.until(terminator);
    if (!/^-?\d+$/.test(text)) throw new PhpParseError(`not an integer: ${text}`);
    return Number(text);
  }

  private string(): string {
    const length = this.int(':');
    if (length < 0 || this.i + length + 2 > this.bytes.length) throw new PhpParseError('string length out of range');
    this.expect('"');
    const text = decodeField(this.bytes.subarray(this.i, this.i + length)).text;
    this.i += length;
    this.expect('"');
    return text;
  }

  private value(): unknown {
    const type = String.fromCharCode(this.bytes[this.i] ?? 0);
    this.i++;
    switch (type) {
      case 'N':
        this.expect(';');
        return null;
      case 'b': {
        this.expect(':');
        const v = this.until(';');
        if (v !== '0' && v !== '1') throw new PhpParseError('bad boolean');
        return v === '1';
      }
      case 'i':
        this.expect(':');
        return this.int(';');
      case 'd': {
        this.expect(':');
        const v = this.until(';');
        if (v === 'INF' || v === '-INF' || v === 'NAN') return v;
        const n = Number(v);
        if (v === '' || Number.isNaN(n)) throw new PhpParseError('bad double');
        return n;
      }
      case 's': {
        this.expect(':');
        const text = this.string();
        this.expect(';');
        return text;
      }
      case 'a': {
        this.expect(':');
        const count = this.int(':');
        this.expect('{');
        const entries = this.entries(count);
        this.expect('}');
        return toArrayOrObject(entries);
      }
      case 'O': {
        this.expect(':');
        const className = this.string();
        this.expect(':');
        const count = this.int(':');
        this.expect('{');
        const entries = this.entries(count);
        this.expect('}');
        // Private and protected properties are serialized as "\0Class\0name" / "\0*\0name".
        return { __class: className, ...Object.fromEntries(entries.map(([k, v]) => [String(k).replace(/^\uFFFD[^\uFFFD]*\uFFFD/, ''), v])) };
      }
      case 'r':
      case 'R':
        this.expect(':');
        return { $ref: this.int(';') };
      default:
        throw new PhpParseError(`unknown type ${type}`);
    }
  }

  private entries(count: number): [string | number, unknown][] {
    if (count < 0 || count > this.bytes.length) throw new PhpParseError('bad count');
    if (++this.depth > 64) throw new PhpParseError('nested too deep');
    const entries: [string | number, unknown][] = [];
    for (let n = 0; n < count; n++) {
      const key = this.value();
      if (typeof key !== 'string' && typeof key !== 'number') throw new PhpParseError('bad key');
      entries.push([key, this.value()]);
    }
    this.depth--;
    return entries;
  }
}

function toArrayOrObject(entries: [string | number, unknown][]): unknown {
  if (entries.every(([k], index) => k === index)) return entries.map(([, v]) => v);
  return Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
}

/** NUL characters cannot be stored in jsonb: they become U+FFFD, in keys and values. */
function scrubNul(value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map(scrubNul);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubNul(k) as string, scrubNul(v)]));
  return value;
}

const PHP_START = /^(a:\d+:\{|O:\d+:"|s:\d+:"|i:-?\d+;|d:|b:[01];|N;)/;

/** Parses PHP's serialize() output; throws when the bytes are not exactly one serialized value. */
export function phpUnserialize(bytes: Buffer): unknown {
  return new PhpReader(bytes).parseAll();
}

export function parseOther(bytes: Buffer): ParsedOther {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 32)).trim();
  if (head === '' || head === 'NULL' || head === '\\N' || (bytes.length <= 4 && head === 'N;')) return { value: null, format: 'empty' };
  if (PHP_START.test(head)) {
    try {
      return { value: phpUnserialize(bytes), format: 'php' };
    } catch {
      // not PHP after all: try JSON, then keep the text
    }
  }
  const text = decodeField(bytes).text;
  if (/^[[{"\d-]|^(true|false|null)$/.test(head)) {
    try {
      return { value: scrubNul(JSON.parse(text)), format: 'json' };
    } catch {
      // fall through
    }
  }
  return { value: text, format: 'text' };
}
