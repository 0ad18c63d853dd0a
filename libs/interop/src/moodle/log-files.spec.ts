import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { detectDelimiter, formatOf, readLogFile, readLogFileChunks, RecordReplay, type TableRecord } from './log-files';

const dir = mkdtempSync(join(tmpdir(), 'log-files-'));
let n = 0;
function file(content: string | Buffer, ext = 'csv'): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
}
async function read(path: string): Promise<TableRecord[]> {
  const out: TableRecord[] = [];
  for await (const r of readLogFile(path)) out.push(r);
  return out;
}
const rows = ['Time,Event name,Description', '"6 Dec, 14:03",Course viewed,"The user with id \'5\' viewed the course with id \'2\'."', '"6 Dec, 14:02",Course viewed,"two\nlines"', '"6 Dec, 14:01",User has logged in,x'];

describe('readLogFile', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR alone (old Mac)', '\r'],
  ])('reads every record of a file with %s line endings, a quoted line break included', async (_name, eol) => {
    const records = await read(file(rows.map((r) => r.replace('\n', eol)).join(eol) + eol));
    expect(records.map((r) => r.fields[1])).toEqual(['Event name', 'Course viewed', 'Course viewed', 'User has logged in']);
    expect(records[2].fields[2]).toBe(`two${eol}lines`);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('detects Moodle\'s delimiters from the header', async () => {
    expect(detectDelimiter('Time;User full name;Event name')).toBe(';');
    expect(detectDelimiter('Time\tUser full name\tEvent name')).toBe('\t');
    expect(detectDelimiter('Time:User full name:Event name')).toBe(':');
    expect(detectDelimiter('"a;b",c,d')).toBe(',');
    const records = await read(file('Time;Event name\r\n"6 Dec, 14:03";Course viewed\r\n'));
    expect(records[1].fields).toEqual(['6 Dec, 14:03', 'Course viewed']);
  });

  it('decodes UTF-8 (with or without a byte-order mark), UTF-16LE, and non-UTF-8 bytes as Windows-1252, field by field', async () => {
    const bom = await read(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name,City\nJosé,Zürich\n')])));
    expect(bom.map((r) => r.fields)).toEqual([['Name', 'City'], ['José', 'Zürich']]);
    const utf16 = await read(file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name\tCity\r\nJosé\tZürich\r\n', 'utf16le')])));
    expect(utf16.map((r) => r.fields)).toEqual([['Name', 'City'], ['José', 'Zürich']]);
    const mixed = await read(file(Buffer.concat([Buffer.from('Name,City\n'), Buffer.from('Jos\xe9 \x93q\x94', 'latin1'), Buffer.from(',Zürich\n')])));
    expect(mixed[1]).toMatchObject({ fields: ['José “q”', 'Zürich'], latin1: 1 });
    expect(mixed[1].raw?.[0]).toEqual(Buffer.from('Jos\xe9 \x93q\x94', 'latin1'));
  });

  it('reports a record it cannot read instead of dropping the rest of the file', async () => {
    const records = await read(file('a,b\n1,2\n3,"4\n'));
    expect(records[1].fields).toEqual(['1', '2']);
    expect(records[2]).toMatchObject({ fields: [], error: expect.stringContaining('unreadable CSV') });
  });

  it('reads Moodle\'s JSON downloads: objects, one array per sheet, or rows of arrays', async () => {
    const objects = [{ Time: '6 Dec, 14:03', 'Event name': 'Course viewed' }, { Time: '6 Dec, 14:02', 'Event name': 'User has logged in' }];
    for (const doc of [objects, [objects], [['Time', 'Event name'], ['6 Dec, 14:03', 'Course viewed'], ['6 Dec, 14:02', 'User has logged in']]]) {
      const path = file(JSON.stringify(doc), 'json');
      expect(await formatOf(path)).toBe('json');
      expect((await read(path)).map((r) => r.fields)).toEqual([['Time', 'Event name'], ['6 Dec, 14:03', 'Course viewed'], ['6 Dec, 14:02', 'User has logged in']]);
    }
  });

  it('reads OpenDocument spreadsheets (the first sheet; repeated rows and cells, spaces, line breaks, dates), known by their mimetype without a name', async () => {
    const p = (text: string) => `<text:p>${text}</text:p>`;
    const cell = (inner: string, attrs = '') => `<table:table-cell office:value-type="string"${attrs}>${inner}</table:table-cell>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="Logs">
<table:table-row>${cell(p('Time'))}${cell(p('Event name'))}${cell(p('Description'))}<table:table-cell table:number-columns-repeated="1020"/></table:table-row>
<table:table-row table:number-rows-repeated="2">${cell(p('6 Dec, 14:03'))}${cell(p('Course viewed'))}${cell(p('The user with id &apos;5&apos; viewed<text:s text:c="2"/>it &amp; more'))}</table:table-row>
<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-12-06T14:02:00">${p('06/12/24 14:02')}</table:table-cell>${cell(p('Course viewed'))}${cell(p('two') + p('lines'))}</table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="Other"><table:table-row>${cell(p('not read'))}</table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>`;
    const ods = zipSync({ mimetype: [strToU8('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }], 'content.xml': strToU8(xml) });
    for (const path of [file(Buffer.from(ods), 'ods'), file(Buffer.from(ods), 'upload')]) {
      expect(await formatOf(path)).toBe('ods');
      const records = await read(path);
      expect(records.map((r) => r.fields)).toEqual([
        ['Time', 'Event name', 'Description'],
        ['6 Dec, 14:03', 'Course viewed', "The user with id '5' viewed  it & more"],
        ['6 Dec, 14:03', 'Course viewed', "The user with id '5' viewed  it & more"],
        ['2024-12-06T14:02:00', 'Course viewed', 'two\nlines'],
      ]);
      expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    }
    // An .ods that is not one: refused with what is wrong.
    await expect(read(file('PK\x03\x04 broken', 'ods'))).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
    await expect(read(file('a,b\n1,2\n', 'ods'))).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
  });

  it('hands out again, without the file, exactly the records it kept (fields, lines, bytes, unreadable ones); gives up on bytes it cannot keep or past its size', async () => {
    const content = ['id,eventname,other', '1,a,""', '2,"b,c","x\ny"', '4,,', '5,e,"é ü"', '6,"f'].join('\r\n') + '\r\n';
    const path = file(content);
    const replay = new RecordReplay(1_000);
    const direct: TableRecord[][] = [];
    for await (const chunk of readLogFileChunks(path)) {
      expect(replay.keep(chunk)).toBe(true);
      direct.push(chunk);
    }
    expect(replay.complete).toBe(false);
    replay.end();
    expect(replay.complete).toBe(true);
    const again = [...replay.replay()];
    expect(again).toEqual(direct);
    expect(direct.flat().filter((r) => r.error).length).toBe(1);
    expect(again.flat().map((r) => r.fields.length)).toEqual(direct.flat().map((r) => r.fields.length));
    // Let go once handed out.
    expect([...replay.replay()]).toEqual([]);

    const small = new RecordReplay(10);
    for await (const chunk of readLogFileChunks(path)) small.keep(chunk);
    small.end();
    expect(small.complete).toBe(false);
    expect(() => [...small.replay()]).toThrow();

    // A field read as Windows-1252 keeps its bytes, which a replay would lose: not kept.
    const latin = new RecordReplay(1_000);
    for await (const chunk of readLogFileChunks(file(Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xe9]), Buffer.from('\n')])))) latin.keep(chunk);
    latin.end();
    expect(latin.complete).toBe(false);
  });
});
