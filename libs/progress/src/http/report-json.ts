/**
 * A report's JSON body as text: JSON.stringify's, except that in the parts named `escaped` (the report's own
 * words: its rules, suggestions) a character outside ASCII is written as a \uXXXX escape: the same JSON value.
 *
 * Why: JSON.stringify writes such a character as it is, and one of them ("…" in a rule's text) makes the whole
 * body a two-byte string (about 200 kB for a class of 221: built as UTF-16, then encoded to UTF-8 for the socket).
 * Written part by part, the rest of the body stays one-byte unless its own data (a name, a question) needs more.
 */
export function reportJson(report: object, escaped: readonly string[]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(report)) {
    // What JSON.stringify leaves out of an object.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    const json = JSON.stringify(value);
    parts.push(`${JSON.stringify(key)}:${escaped.includes(key) ? asciiJson(json) : json}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * JSON text with every character outside ASCII as a \uXXXX escape (a pair for a character beyond U+FFFF), as a
 * one-byte string: replace() keeps a two-byte subject's representation even when all it leaves is ASCII, which
 * would make the joined body two-byte again; read back through latin1 it is one-byte.
 */
function asciiJson(json: string): string {
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ascii === json ? json : Buffer.from(ascii, 'latin1').toString('latin1');
}
