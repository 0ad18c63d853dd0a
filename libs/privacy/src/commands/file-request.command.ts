/**
 * Filing a data-subject request: the subject, a parent for a minor child, a
 * school admin for a learner of their school, or the DPO (a request that
 * came in by other means). The deadline starts now.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { decideRequest } from '../privacy-request';
import { PRIVACY_OPTIONS, type PrivacyOptions } from '../privacy.options';
import { PrivacyRepository } from '../privacy.repository';
import type { RequestDetails, RequestType } from '../privacy.events';
import { requireRepresentation } from '../representation';
import { rectificationProblems } from '../rectification';
import { PrivacyReader } from '../privacy.reader';
import type { RequestView } from '../views';

export interface FileRequestInput {
  subjectId?: string;
  type: RequestType;
  note?: string;
  changes?: Record<string, unknown>;
}

export class FilePrivacyRequestCommand {
  constructor(
    readonly actor: Actor,
    readonly input: FileRequestInput,
  ) {}
}

@CommandHandler(FilePrivacyRequestCommand)
export class FilePrivacyRequestHandler implements ICommandHandler<FilePrivacyRequestCommand, RequestView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
  ) {}

  async execute({ actor, input }: FilePrivacyRequestCommand): Promise<RequestView> {
    const subjectId = (input.subjectId ?? actor.userId).toLowerCase();
    const filedAs = await requireRepresentation(this.policy, actor, subjectId, ['self', 'parent', 'school_admin', 'dpo']);
    if (!(await this.policy.person(subjectId)).exists) throw new DomainError('not_found', 'USER_NOT_FOUND', 'no such user');
    const now = this.clock.now();
    if (input.type === 'rectification') {
      const problems = rectificationProblems(input.changes, now);
      if (problems.length) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the corrections are not valid', problems);
    } else if (input.changes !== undefined) {
      throw new DomainError('invalid', 'VALIDATION_FAILED', 'changes are for rectification requests only', [{ field: 'changes', message: 'only with type rectification' }]);
    }
    const details: RequestDetails | null = input.note || input.changes ? { ...(input.note && { note: input.note }), ...(input.changes && { changes: input.changes }) } : null;
    const requestId = randomUUID();
    const { result } = await this.repo.changeRequest(requestId, actor, (state) =>
      decideRequest(
        { type: 'File', requestId, subjectId, requestType: input.type, filedBy: actor.userId, filedAs, details, now, deadlineDays: this.options.requestDeadlineDays },
        state,
      ),
    );
    await this.repo.settle(result?.position);
    return this.reader.request(requestId);
  }
}
