/**
 * CSV (RFC 4180) for the exports: every field quoted when it holds a comma, a
 * quote, a line break or leading/trailing space, quotes doubled, CRLF line
 * ends. A text that a spreadsheet would run as a formula (starting with = + -
 * @, a tab or a carriage return, as OWASP lists them) gets a leading
 * apostrophe: display names are chosen by their owners and reach teachers'
 * spreadsheets.
 */
export type CsvValue = string | number | boolean | null | undefined;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
