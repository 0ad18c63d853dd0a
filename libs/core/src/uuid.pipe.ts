import { idPipe } from './bounded';

/** A path id that must be a UUID (not the nil UUID): anything else is a 400 VALIDATION_FAILED, never a 500 from the database. */
export const UUID_PARAM = idPipe(null);
