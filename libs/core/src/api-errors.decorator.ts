/** Documents an endpoint's error responses in OpenAPI: status → the stable codes it may carry. */
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
};

const SIGNED_IN: Record<number, string[]> = { 401: ['UNAUTHENTICATED'] };

export function ApiErrors(errors: Record<number, string[]>, options: { signedIn?: boolean } = { signedIn: true }) {
  const all = { ...(options.signedIn === false ? {} : SIGNED_IN), ...errors };
  return applyDecorators(
    ...Object.entries(all).map(([status, codes]) => ApiResponse({ status: Number(status), description: codes.join(', '), schema: ERROR_SCHEMA })),
  );
}
