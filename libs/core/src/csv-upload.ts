/**
 * An upload sent as CSV (`Content-Type: text/csv`, Moodle's "Upload users"
 * style) made into the rows of its JSON form, which the route then checks
 * with the same DTO: a header line naming each column by the JSON field
 * (`username,displayName,role,…`), one row per line. Parsed with csv-parse
 * (RFC 4180: quoted fields with commas, quotes and line breaks; a UTF-8
 * byte-order mark as Excel writes it; CRLF or LF). An empty cell is an absent
 * field; a list column holds its values separated by `;`. A column the form
 * does not have is refused by the DTO (`rows.0.<column>`), as in JSON.
 * Malformed CSV (a row with more or fewer cells than the header, an unclosed
 * quote, a column named twice) is 400 VALIDATION_FAILED naming the line.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { DomainError } from '@learnstream/domain';

export type CsvUploadRow = Record<string, string | string[]>;

const invalid = (message: string, line?: number) => new DomainError('invalid', 'VALIDATION_FAILED', message, [{ field: 'body', message, ...(line !== undefined && { line }) }]);

export function csvUploadRows(text: string, { lists = [] }: { lists?: readonly string[] } = {}): CsvUploadRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const twice = names.find((n, i) => names.indexOf(n) !== i);
        if (twice !== undefined) throw invalid(`the header names column "${twice}" twice`, 1);
        if (names.some((n) => n === '')) throw invalid('the header has a column without a name', 1);
        // An object's own names: csv-parse would drop a __proto__ cell and the DTO a constructor one, silently.
        const reserved = names.find((n) => n === '__proto__' || n === 'constructor');
        if (reserved !== undefined) throw invalid(`the header names column "${reserved}": no field is called that`, 1);
        return names;
      },
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof CsvError) throw invalid(`the CSV is not valid: ${error.message}`, (error as CsvError & { lines?: number }).lines);
    throw error;
  }
  return records.map((record) =>
    Object.fromEntries(
      Object.entries(record)
        .filter(([, value]) => value !== '')
        .map(([column, value]) => [column, lists.includes(column) ? value.split(';').map((v) => v.trim()).filter(Boolean) : value]),
    ),
  );
}
