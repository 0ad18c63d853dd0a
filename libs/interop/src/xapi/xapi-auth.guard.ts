/**
 * The guard of the xAPI routes (which are @Public for the sign-in guard: an
 * LRS client is not a user). In this order:
 *   - every response carries `X-Experience-API-Version` (1.0.3 or 2.0.0, as negotiated; else XAPI_DEFAULT_VERSION);
 *   - a request without `X-Experience-API-Version: 1.0.x` or `2.0.x` is 400;
 *   - no or bad HTTP Basic credentials is 401 (with WWW-Authenticate);
 * then the client (and its school) is on the request for the handler.
 */
import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ApiError, requestContextOf, headerOf } from '@learnstream/core';
import { LrsClients, type LrsClient, type RequestingLrsClient } from './lrs-clients';
import { negotiate, VERSION_HEADER } from './xapi-version';

type XapiRequest = Request & { lrsClient?: LrsClient };

export { VERSION_HEADER };

@Injectable()
export class XapiAuthGuard implements CanActivate {
  constructor(private readonly clients: LrsClients) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<XapiRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const version = headerOf(req, VERSION_HEADER);
    const spoken = negotiate(version);
    // Without a version this LRS speaks, the answer keeps the default the /xapi middleware set.
    if (spoken) res.header(VERSION_HEADER, spoken);
    if (!version) throw new ApiError(400, 'XAPI_VERSION_REQUIRED', `the ${VERSION_HEADER} header is required (1.0.3 or 2.0.0)`);
    if (!spoken) throw new ApiError(400, 'XAPI_VERSION_UNSUPPORTED', `${VERSION_HEADER} ${version} is not supported: this LRS speaks 1.0.x and 2.0.x`);
    const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(headerOf(req, 'authorization') ?? '');
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const client = colon > 0 ? await this.clients.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
    if (!client) {
      res.header('WWW-Authenticate', 'Basic realm="Learnstream LRS", charset="UTF-8"');
      throw new ApiError(401, 'UNAUTHENTICATED', m ? 'these LRS credentials are not valid' : 'send the LRS client credentials (HTTP Basic: client id and secret)');
    }
    req.lrsClient = client;
    return true;
  }
}

/** The LRS client of the request (set by XapiAuthGuard), bound to the request (a copy: clients are shared between requests). */
export const CurrentLrsClient = createParamDecorator((_: unknown, context: ExecutionContext): RequestingLrsClient => {
  const req = context.switchToHttp().getRequest<XapiRequest>();
  const client = req.lrsClient;
  if (!client) throw new Error('CurrentLrsClient used without XapiAuthGuard');
  return { ...client, request: requestContextOf(req) ?? null };
});
