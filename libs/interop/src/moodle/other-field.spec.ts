import { parseOther, phpUnserialize } from './other-field';
import { decodeField } from './text';

describe('Moodle `other`', () => {
  it('reads PHP serialize() output: arrays, lists, objects, numbers, booleans, null; string lengths in bytes', () => {
    const php = 'a:4:{s:6:"itemid";i:42;s:4:"name";s:4:"Zoë";s:4:"list";a:2:{i:0;d:1.5;i:1;b:1;}s:1:"o";O:8:"stdClass":1:{s:1:"x";N;}}';
    expect(parseOther(Buffer.from(php))).toEqual({
      format: 'php',
      value: { itemid: 42, name: 'Zoë', list: [1.5, true], o: { __class: 'stdClass', x: null } },
    });
    expect(phpUnserialize(Buffer.from('N;'))).toBeNull();
    expect(() => phpUnserialize(Buffer.from('s:10:"short";'))).toThrow();
  });

  it('reads JSON, keeps anything else as text, and empty or NULL as null', () => {
    expect(parseOther(Buffer.from('{"a":[1,"b"]}'))).toEqual({ format: 'json', value: { a: [1, 'b'] } });
    expect(parseOther(Buffer.from('a:2:{broken'))).toEqual({ format: 'text', value: 'a:2:{broken' });
    expect(parseOther(Buffer.from('not serialized'))).toEqual({ format: 'text', value: 'not serialized' });
    expect(parseOther(Buffer.from(''))).toEqual({ format: 'empty', value: null });
    expect(parseOther(Buffer.from('NULL'))).toEqual({ format: 'empty', value: null });
    expect(parseOther(Buffer.from('N;'))).toEqual({ format: 'empty', value: null });
    expect(parseOther(Buffer.from('{"a":"x\\u0000y"}')).value).toEqual({ a: 'x\uFFFDy' });
  });

  it('decodes UTF-8, and bytes that are not UTF-8 as Windows-1252', () => {
    expect(decodeField(Buffer.from('Zoë', 'utf8'))).toEqual({ text: 'Zoë', latin1: false });
    expect(decodeField(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x80]))).toEqual({ text: 'Café€', latin1: true });
    expect(decodeField(Buffer.from([0x61, 0x00]))).toEqual({ text: 'a\uFFFD', latin1: false });
  });
});
