/**
 * The decoding rule for imported text, field by field:
 *
 *   1. valid UTF-8 (Moodle's encoding since 2.0) is read as UTF-8;
 *   2. anything else is read as Windows-1252, the superset of ISO-8859-1 that
 *      old Moodle databases and spreadsheet exports used: every byte is a
 *      character, nothing is lost and nothing is replaced by U+FFFD;
 *   3. NUL characters become U+FFFD (PostgreSQL's jsonb cannot hold them).
 *
 * The caller counts the fields that needed rule 2 (`latin1`), so the import
 * summary says how many there were.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Windows-1252's characters for 0x80–0x9F (elsewhere it is ISO-8859-1); 5 unassigned bytes stay C1 controls. Built in: Node's decoder without full ICU reads these as ISO-8859-1. */
const CP1252_80_9F = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80] : String.fromCharCode(b);
  }
  return out;
}

export interface Decoded {
  text: string;
  /** Not valid UTF-8: read as Windows-1252. */
  latin1: boolean;
}

export function decodeField(bytes: Uint8Array): Decoded {
  let text: string;
  let latin1 = false;
  // Pure ASCII is the common case: no decoder needed.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] > 0x7f || bytes[i] === 0) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), latin1: false };
  try {
    text = utf8.decode(bytes);
  } catch {
    text = decodeWindows1252(bytes);
    latin1 = true;
  }
  return { text: withoutNul(text), latin1 };
}

/** NUL cannot be stored in PostgreSQL text or jsonb: an imported NUL becomes U+FFFD. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
