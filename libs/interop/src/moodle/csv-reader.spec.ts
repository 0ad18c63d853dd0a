import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDelimiter, readCsvRecords, type CsvRecord } from './csv-reader';

const dir = mkdtempSync(join(tmpdir(), 'csv-'));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, content);
  return path;
}
async function read(path: string, options: Parameters<typeof readCsvRecords>[1] = {}): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(path, options)) out.push(r);
  return out;
}
const texts = (rs: CsvRecord[]) => rs.map((r) => r.fields.map((f) => f.toString('utf8')));

describe('readCsvRecords', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks, and CRLF endings', async () => {
    const rs = await read(file('a,b,c\r\n"x,1","say ""hi""","two\nlines"\r\nlast,,"" \n'));
    expect(texts(rs)).toEqual([['a', 'b', 'c'], ['x,1', 'say "hi"', 'two\nlines'], ['last', '', ' ']]);
    expect(rs.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(rs.map((r) => r.nextLine)).toEqual([2, 4, 5]);
  });

  it('skips blank lines and a UTF-8 byte-order mark, and reads a last record without a line break', async () => {
    const rs = await read(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('h1,h2\n\n1,2\n\n3,4')])));
    expect(texts(rs)).toEqual([['h1', 'h2'], ['1', '2'], ['3', '4']]);
  });

  it('gives each record the byte offset after it: resuming there reads the rest, with the right line numbers', async () => {
    const content = 'h\n1\n"2\n2"\n3\n';
    const path = file(content);
    const all = await read(path, { highWaterMark: 3 });
    expect(texts(all)).toEqual([['h'], ['1'], ['2\n2'], ['3']]);
    const rest = await read(path, { start: all[1].end, line: all[1].nextLine });
    expect(texts(rest)).toEqual([['2\n2'], ['3']]);
    expect(rest.map((r) => r.line)).toEqual([3, 5]);
    expect(all[3].end).toBe(Buffer.byteLength(content));
  });

  it('keeps bytes as they are (non-UTF-8 included) and splits on other delimiters', async () => {
    const rs = await read(file(Buffer.from([0x61, 0x09, 0xe9, 0x0a])), { delimiter: 0x09 });
    expect(rs[0].fields[1]).toEqual(Buffer.from([0xe9]));
    expect(detectDelimiter(Buffer.from('a\tb'))).toBe(0x09);
    expect(detectDelimiter(Buffer.from('a;b'))).toBe(0x3b);
    expect(detectDelimiter(Buffer.from('a,b;c'))).toBe(0x2c);
  });
});
