/** argon2id hashing; staff can set or reset a password, never read one. */
import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';

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
    if (!hash) {
      await argon2.verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }

  /** A temporary password for a staff reset or an account opened without one: shown once. */
  static temporary(): string {
    return randomBytes(12).toString('base64url');
  }
}
