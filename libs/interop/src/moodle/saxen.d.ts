/** The part of saxen's API (a SAX XML parser, read-excel-file's own) that ods.ts uses: the package ships no types. */
declare module 'saxen' {
  export class Parser {
    constructor(options?: { proxy?: boolean });
    on(event: 'openTag', handler: (name: string, attrs: () => Record<string, string>, decodeEntities: (s: string) => string, selfClosing: boolean) => void): this;
    on(event: 'closeTag', handler: (name: string, decodeEntities: (s: string) => string, selfClosing: boolean) => void): this;
    on(event: 'text', handler: (value: string, decodeEntities: (s: string) => string) => void): this;
    on(event: 'error', handler: (error: Error) => void): this;
    parse(xml: string): this;
  }
}
