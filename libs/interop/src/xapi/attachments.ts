/**
 * Statements with attachments (xAPI Data 2.4.11, Communication 1.5.2) and
 * signed statements (Data 2.6), pure:
 *
 *   in   a multipart/mixed body: the first part application/json (the
 *        statement or statements), then one part per attachment content with
 *        X-Experience-API-Hash (its SHA-2, hex) and Content-Transfer-Encoding:
 *        binary. Every attachment without a fileUrl needs its part; every
 *        part must be an attachment's, and its bytes must hash to it
 *        (SHA-256, -384 or -512 by the hash's length). Anything else is 400.
 *   signed  an attachment of usageType …/attachments/signature must be
 *        application/octet-stream, a compact JWS whose `alg` is RS256, RS384
 *        or RS512, whose payload is the statement (the same statement, its
 *        attachments aside) and, when its header carries an X.509 chain
 *        (x5c), whose signature verifies with the first certificate's key.
 *   out  GET with attachments=true: multipart/mixed, the JSON first, then
 *        each attachment's bytes once.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import { DomainError } from '@learnstream/domain';
import { sameStatement, type JsonObject } from './statement';

export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

export interface AttachmentPart {
  /** The X-Experience-API-Hash header, lower case. */
  sha2: string;
  contentType: string;
  content: Buffer;
}

const invalid = (message: string) => new DomainError('invalid', 'XAPI_INVALID_ATTACHMENT', message);
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const HASHES: Record<number, string> = { 64: 'sha256', 96: 'sha384', 128: 'sha512' };
const ALGORITHMS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

/** The statements (parsed JSON) and attachment parts of a multipart/mixed request body. */
export function parseStatementParts(contentType: string, body: Buffer): { statements: unknown; parts: AttachmentPart[] } {
  if (!/^multipart\/mixed\b/i.test(contentType)) throw invalid('statements with attachments are sent as multipart/mixed (or application/json, with fileUrl)');
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw invalid('multipart/mixed needs its boundary');
  const parsed: { headers: Record<string, string | undefined>; content: Buffer }[] = [];
  // A preamble before the first boundary (RFC 2046 5.1.1) is no part: the parser starts at the boundary.
  const start = body.indexOf(`--${boundary}`);
  if (start > 0) body = body.subarray(start);
  try {
    for (const part of parseMultipart(body, { boundary, maxFileSize: body.length + 1, maxTotalSize: body.length + 1 })) {
      parsed.push({ headers: { ...part.headers }, content: Buffer.from(part.bytes) });
    }
  } catch (error) {
    if (error instanceof MultipartParseError) throw invalid(`the multipart body does not parse: ${error.message}`);
    throw invalid('the multipart body does not parse');
  }
  const [first, ...rest] = parsed;
  if (!first || !/^application\/json\b/i.test(first.headers['content-type'] ?? '')) throw invalid('the first part of a multipart statement request must be application/json: the statements');
  // UTF-8, as a JSON body must be: the decoder would store U+FFFD for each byte that is not (a name in a legacy code page).
  const charset = /charset="?([^";]+)"?/i.exec(first.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if ((charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') || !isUtf8(first.content)) throw invalid('the first part (the statements) must be JSON in UTF-8');
  let statements: unknown;
  try {
    statements = JSON.parse(first.content.toString('utf8'));
  } catch {
    throw invalid('the first part is not valid JSON');
  }
  const parts = rest.map((p, i): AttachmentPart => {
    const sha2 = p.headers['x-experience-api-hash']?.trim().toLowerCase();
    if (!sha2) throw invalid(`part ${i + 2} has no X-Experience-API-Hash header`);
    const encoding = p.headers['content-transfer-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== 'binary') throw invalid(`part ${i + 2}: Content-Transfer-Encoding must be binary`);
    return { sha2, contentType: p.headers['content-type']?.trim() ?? 'application/octet-stream', content: p.content };
  });
  return { statements, parts };
}

function attachmentsOf(s: JsonObject): JsonObject[] {
  return Array.isArray(s.attachments) ? s.attachments.filter(isObject) : [];
}

/**
 * Checks the parts against the statements' attachments (and verifies the signatures);
 * the parts each statement keeps, by its index.
 */
export function matchAttachments(statements: JsonObject[], parts: AttachmentPart[]): AttachmentPart[][] {
  const bySha = new Map<string, AttachmentPart>();
  for (const part of parts) {
    const algorithm = HASHES[part.sha2.length];
    if (!algorithm || !/^[0-9a-f]+$/.test(part.sha2)) throw invalid(`X-Experience-API-Hash ${part.sha2} is not a SHA-2 hex digest`);
    if (createHash(algorithm).update(part.content).digest('hex') !== part.sha2) throw invalid(`the content of part ${part.sha2} does not hash to its X-Experience-API-Hash`);
    bySha.set(part.sha2, part);
  }
  const used = new Set<string>();
  const kept = statements.map((s) =>
    attachmentsOf(s).flatMap((a) => {
      const sha2 = typeof a.sha2 === 'string' ? a.sha2.toLowerCase() : '';
      const part = bySha.get(sha2);
      if (!part) {
        if (a.fileUrl === undefined) throw invalid(`attachment ${sha2} has neither a fileUrl nor a part with its content`);
        return [];
      }
      used.add(sha2);
      if (a.usageType === SIGNATURE_USAGE) verifySignature(s, a, part);
      return [part];
    }),
  );
  const extra = [...bySha.keys()].filter((sha2) => !used.has(sha2));
  if (extra.length) throw invalid(`part ${extra[0]} is no attachment's content`);
  return kept;
}

/** Attachments without content (no fileUrl) in a plain JSON request: they need a multipart request. */
export function requireNoLocalAttachments(statements: JsonObject[]): void {
  matchAttachments(statements, []);
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function verifySignature(statement: JsonObject, attachment: JsonObject, part: AttachmentPart): void {
  if (attachment.contentType !== 'application/octet-stream') throw invalid('a signature attachment\'s contentType must be application/octet-stream');
  const segments = part.content.toString('utf8').trim().split('.');
  if (segments.length !== 3) throw invalid('the signature is not a compact JWS');
  const [header, payload, signature] = segments;
  const head = decodeJson(header);
  if (!isObject(head) || typeof head.alg !== 'string' || !ALGORITHMS[head.alg]) throw invalid('the signature\'s alg must be RS256, RS384 or RS512');
  const signed = decodeJson(payload);
  if (!isObject(signed)) throw invalid('the signature\'s payload is not a statement (JSON)');
  const { attachments: _a, ...withoutAttachments } = statement;
  const { attachments: _b, ...signedStatement } = signed;
  if (!sameStatement(signedStatement, withoutAttachments) || (signed.id !== undefined && String(signed.id).toLowerCase() !== String(statement.id).toLowerCase())) {
    throw invalid('the signature\'s payload is not this statement');
  }
  if (Array.isArray(head.x5c) && typeof head.x5c[0] === 'string') {
    let key;
    try {
      key = new X509Certificate(Buffer.from(head.x5c[0], 'base64')).publicKey;
    } catch {
      throw invalid('the signature\'s x5c certificate does not parse');
    }
    const ok = createVerify(ALGORITHMS[head.alg]).update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'));
    if (!ok) throw invalid('the signature does not verify with its x5c certificate');
  }
}

/** A multipart/mixed answer: the JSON, then each part once (by hash). */
export function multipartAnswer(json: unknown, parts: AttachmentPart[]): { contentType: string; body: Buffer } {
  const boundary = `xapi-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n`, 'utf8')];
  const seen = new Set<string>();
  for (const p of parts) {
    if (seen.has(p.sha2)) continue;
    seen.add(p.sha2);
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.contentType}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${p.sha2}\r\n\r\n`, 'utf8'), p.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
