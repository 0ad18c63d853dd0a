/**
 * Agents the LRS meets are named by email, OpenID or an account elsewhere:
 * personal data, which never goes into clear fields. What the log and the
 * read model keep instead is a keyed hash of the agent's identifier (HMAC
 * under a key derived from the master key: not reversible, not computable
 * without the key), and, for agents who are not Learnstream users, a
 * pseudonymous data subject derived from it, under whose key their
 * statements are sealed: erasing that subject shreds them.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { uuidV5 } from '@learnstream/domain';
import { ifiOf } from './statement';

/** Namespace of the ids derived for xAPI (pseudonymous subjects, event ids). */
export const XAPI_NAMESPACE = '8a0b7f4c-2e3d-4c55-b1a9-6f0e2d7c9b31';

@Injectable()
export class AgentKeys {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.masterKey, Buffer.alloc(0), 'learnstream xapi agents', 32));
  }

  /** The keyed hash of an agent's (or identified group's) identifier; null for an anonymous group. */
  keyOf(agent: unknown): string | null {
    const ifi = ifiOf(agent);
    return ifi === null ? null : createHmac('sha256', this.key).update(ifi).digest('hex');
  }

  /** The pseudonymous data subject of an agent who is not a Learnstream user. */
  subjectOf(agentKey: string): string {
    return uuidV5(`xapi-agent:${agentKey}`, XAPI_NAMESPACE);
  }
}
