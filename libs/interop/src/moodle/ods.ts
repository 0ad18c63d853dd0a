/**
 * OpenDocument spreadsheets (.ods, what Moodle's "Download table data as
 * OpenDocument" gives): the rows of the first sheet as text, with the two
 * libraries read-excel-file reads .xlsx with: fflate (the zip) and saxen
 * (the XML of content.xml).
 *
 *   a cell       its displayed text (the text:p paragraphs, joined by a line
 *                break; text:s, text:tab and text:line-break as the spaces,
 *                tab and break they stand for); a date cell its
 *                office:date-value (ISO-8601), as .xlsx dates are read
 *   repeats      table:number-columns-repeated and table:number-rows-repeated
 *                are expanded (two identical log rows may be stored as one
 *                row repeated twice); trailing empty cells are dropped
 * A file that is not a zip with a content.xml, or whose XML is broken, is
 * refused (IMPORT_INVALID).
 */
import { strFromU8, unzipSync } from 'fflate';
import { Parser } from 'saxen';
import { DomainError } from '@learnstream/domain';

/** The mimetype an OpenDocument spreadsheet names in its first zip entry. */
export const ODS_MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet';
/** Most copies of one repeated row or cell expanded (a sheet pads with a million empty rows). */
const MAX_REPEAT = 100_000;

const invalid = (message: string) => new DomainError('invalid', 'IMPORT_INVALID', message);

export function odsRows(file: Uint8Array): string[][] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(file, { filter: (f) => f.name === 'content.xml' });
  } catch (error) {
    throw invalid(`the OpenDocument file cannot be unpacked: ${(error as Error).message}`);
  }
  const content = entries['content.xml'];
  if (!content) throw invalid('the OpenDocument file has no content.xml: not a spreadsheet');

  const rows: string[][] = [];
  let tables = 0;
  let inFirst = false;
  let row: string[] | null = null;
  let rowRepeat = 1;
  let cell: { repeat: number; text: string; paragraphs: number; date: string | null } | null = null;
  const count = (value: string | undefined) => Math.min(Math.max(Number.parseInt(value ?? '1', 10) || 1, 1), MAX_REPEAT);

  const parser = new Parser();
  parser.on('error', (error) => {
    throw invalid(`the OpenDocument file's content.xml is not well-formed: ${error.message}`);
  });
  parser.on('openTag', (name, attrs) => {
    if (name === 'table:table') {
      tables++;
      inFirst = tables === 1;
      return;
    }
    if (!inFirst) return;
    if (name === 'table:table-row') {
      row = [];
      rowRepeat = count(attrs()['table:number-rows-repeated']);
    } else if (name === 'table:table-cell' || name === 'table:covered-table-cell') {
      const a = attrs();
      cell = { repeat: count(a['table:number-columns-repeated']), text: '', paragraphs: 0, date: a['office:value-type'] === 'date' ? (a['office:date-value'] ?? null) : null };
    } else if (cell) {
      if (name === 'text:p' && cell.paragraphs++ > 0) cell.text += '\n';
      else if (name === 'text:s') cell.text += ' '.repeat(count(attrs()['text:c']));
      else if (name === 'text:tab') cell.text += '\t';
      else if (name === 'text:line-break') cell.text += '\n';
    }
  });
  parser.on('text', (value, decode) => {
    if (cell) cell.text += decode(value);
  });
  parser.on('closeTag', (name) => {
    if (name === 'table:table') inFirst = false;
    if (!inFirst) return;
    if ((name === 'table:table-cell' || name === 'table:covered-table-cell') && cell && row) {
      const text = cell.date ?? cell.text;
      for (let i = 0; i < cell.repeat; i++) row.push(text);
      cell = null;
    } else if (name === 'table:table-row' && row) {
      while (row.length && row[row.length - 1] === '') row.pop();
      // Empty rows (a sheet's padding) are not rows of the log.
      if (row.length) for (let i = 0; i < rowRepeat; i++) rows.push(row);
      row = null;
    }
  });
  parser.parse(strFromU8(content));
  return rows;
}
