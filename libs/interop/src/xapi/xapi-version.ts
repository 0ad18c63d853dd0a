/**
 * The xAPI versions this LRS speaks, negotiated per request by the
 * X-Experience-API-Version header: 1.0.x is answered as 1.0.3, 2.0.x as
 * 2.0.0 (IEEE 9274.1.1). The answer's header names the version the request
 * is handled under; a request without one (or with one this LRS does not
 * speak, which the guard refuses) is answered in XAPI_DEFAULT_VERSION (2.0.0
 * unless configured), set on every answer by the /xapi middleware.
 */
import type { FastifyRequest as Request } from 'fastify';
import { headerOf } from '@learnstream/core/headless';

export type XapiVersion = '1.0.3' | '2.0.0';

export const VERSION_HEADER = 'X-Experience-API-Version';
export const XAPI_VERSIONS: readonly XapiVersion[] = ['2.0.0', '1.0.3'];

/** The version header of an answer to a request with this version header; `fallback` (XAPI_DEFAULT_VERSION) when it names none this LRS speaks. */
export const answeredVersion = (header: string | undefined, fallback: XapiVersion): XapiVersion => negotiate(header) ?? fallback;

/** The version a header value asks for, or null when this LRS does not speak it. */
export function negotiate(header: string | undefined): XapiVersion | null {
  const v = (header ?? '').trim();
  if (/^1\.0(\.\d+)?$/.test(v)) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(v)) return '2.0.0';
  return null;
}

/** The version of a request (after the guard: always a spoken one); 1.0.3 when the header is missing. */
export function versionOf(req: Pick<Request, 'headers'>): XapiVersion {
  return negotiate(headerOf(req, VERSION_HEADER)) ?? '1.0.3';
}
