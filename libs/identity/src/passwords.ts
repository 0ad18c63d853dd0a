/** argon2id hashing; staff can set or reset a password, never read one. */
import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';

/** Marks a temporary password's SHA-256 (bulk uploads), never an argon2 hash. */
const TEMPORARY_PREFIX = '$temporary-sha256$';

@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw?: false };
  /** Verified against when the username is unknown, so that timing does not tell which usernames exist. */
  private decoy: Promise<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.options = { type: argon2.argon2id as 2, memoryCost: config.auth.argon2.memoryKiB, timeCost: config.auth.argon2.passes, parallelism: 1 };
    this.decoy = this.hash(randomBytes(16).toString('hex'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash?.startsWith(TEMPORARY_PREFIX)) return timingSafeEqual(Buffer.from(hash), Buffer.from(PasswordHasher.temporaryHash(password)));
    if (!hash) {
      await argon2.verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }

  /**
   * The stored form of a temporary password of a bulk upload: 96 random bits
   * need no slow hash (nothing to guess, as for an API secret), so an upload of
   * thousands of accounts does not spend argon2's cost per row. It must be
   * changed at first sign-in, and the new one is hashed with argon2.
   */
  static temporaryHash(password: string): string {
    return `${TEMPORARY_PREFIX}${createHash('sha256').update(password, 'utf8').digest('hex')}`;
  }

  /** A temporary password for a staff reset or an account opened without one: shown once. */
  static temporary(): string {
    return randomBytes(12).toString('base64url');
  }
}
