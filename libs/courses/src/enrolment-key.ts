/**
 * The self-enrolment key of a course is kept only as a salted scrypt hash
 * (`scrypt$<salt>$<hash>`, base64url): the events, the read model and the API
 * never hold the key itself. Comparison is in constant time.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (key: string, salt: Buffer, length: number) => Promise<Buffer>;
const LENGTH = 32;

export async function hashEnrolmentKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(key.normalize('NFC'), salt, LENGTH);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Whether `key` is the one `keyHash` was made from; a hash in an unknown form matches nothing. */
export async function enrolmentKeyMatches(key: string, keyHash: string): Promise<boolean> {
  const [scheme, salt, expected] = keyHash.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const wanted = Buffer.from(expected, 'base64url');
  const actual = await scrypt(key.normalize('NFC'), Buffer.from(salt, 'base64url'), wanted.length || LENGTH);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}
