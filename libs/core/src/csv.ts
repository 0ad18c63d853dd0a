/**
 * CSV (RFC 4180) for the exports: every field quoted when it holds a comma, a
 * quote, a line break or leading/trailing space, quotes doubled, CRLF line
 * ends. A text that a spreadsheet would run as a formula (starting with = + -
 * @, a tab or a carriage return, as OWASP lists them) gets a leading
 * apostrophe: display names are chosen by their owners and reach teachers'
 * spreadsheets. Used by every report download (course log, usage, progress).
 */
import { StreamableFile } from '@nestjs/common';

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

/** A table: the header, then each row's values in the header's order. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map(csvLine).join('');
}

/** The media ranges of an Accept header, lower case, each with its q-value (1 when not given). */
export function acceptedRanges(accept: string): { range: string; q: number }[] {
  return accept.split(',').map((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    return { range, q: Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1) };
  });
}

/** CSV when asked by ?format=csv, or when the Accept header prefers text/csv to JSON. */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'csv';
  if (!accept) return false;
  let best: { range: string; q: number } | null = null;
  for (const part of acceptedRanges(accept)) {
    if (!['text/csv', 'application/json', '*/*', 'application/*'].includes(part.range) || !(part.q > 0)) continue;
    if (!best || part.q > best.q) best = part;
  }
  return best?.range === 'text/csv';
}

/** The byte-order mark that `?bom=true` puts first: Excel reads a CSV without one in the system's code page, garbling Thai names. */
export const UTF8_BOM = '\uFEFF';

/**
 * A download's file name from its parts (a course's code, the report, the table, a date), joined by '-': letters of any
 * script and digits kept, everything else a single '-'.
 */
export function downloadName(parts: readonly (string | null | undefined)[], extension = 'csv'): string {
  const words = parts.map((p) => (p ?? '').normalize('NFKC').replace(/[^\p{L}\p{M}\p{N}_]+/gu, '-').replace(/^-+|-+$/g, '')).filter(Boolean);
  return `${words.join('-') || 'export'}.${extension}`;
}

/** Content-Disposition of a download (RFC 6266): an ASCII name for old clients and the UTF-8 one (RFC 8187) for the rest. */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** A CSV text as a download named `fileName`, with a byte-order mark when asked (`?bom=true`). */
export function csvDownload(text: string, fileName: string, bom = false): StreamableFile {
  return new StreamableFile(Buffer.from(bom ? UTF8_BOM + text : text), { type: 'text/csv; charset=utf-8', disposition: attachment(fileName) });
}
