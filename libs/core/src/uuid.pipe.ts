import { ParseUUIDPipe } from '@nestjs/common';
import { ApiError } from './http-errors';

/** A path id that must be a UUID: anything else is a 400 VALIDATION_FAILED, never a 500 from the database. */
export const UUID_PARAM = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', 'the id in the path must be a UUID') });
