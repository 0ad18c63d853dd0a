/**
 * Access and portability. Self-service: the person (or a parent for a
 * minor) downloads everything held about them, at any time. Through a
 * request: once the DPO approved an export request, its requester, the
 * subject and the DPO may download it. Either way the export is audited:
 * PersonalDataExported on the person's stream (and PersonalDataAccessed when
 * someone else downloads it).
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { activityStream, EventLog } from '@learnstream/event-store';
import { personalDataAccessEvents } from '../access-audit';
import { SubjectExporter, type PersonalDataExport } from '../export/subject-export';
import { toXapi, type XapiStatement } from '../export/xapi';
import { PRIVACY_OPTIONS, type PrivacyOptions } from '../privacy.options';
import { PrivacyReader } from '../privacy.reader';
import { subjectEvent } from '../privacy.repository';
import { userStream, type AccessPurpose, type ExportFormat } from '../privacy.events';
import { representationOf, requireRepresentation, type Representation } from '../representation';
import { visibleRequest } from './requests.query';

export class ExportPersonalDataQuery extends Query<ExportResult> {
  constructor(
    readonly actor: Actor,
    readonly subjectId: string,
    readonly format: ExportFormat,
  ) {
    super();
  }
}

export class ExportRequestedDataQuery extends Query<ExportResult> {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
    readonly format: ExportFormat,
  ) {
    super();
  }
}

export type ExportResult = PersonalDataExport | { version: '1.0.3'; subject: { userId: string }; generatedAt: string; statements: XapiStatement[] };

const PURPOSE: Record<Representation, AccessPurpose> = { self: 'privacy', parent: 'parental', school_admin: 'administration', dpo: 'privacy' };

abstract class Exporting {
  constructor(
    protected readonly clock: Clock,
    protected readonly exporter: SubjectExporter,
    protected readonly log: EventLog,
    protected readonly options: PrivacyOptions,
  ) {}

  protected async export(actor: Actor, subjectId: string, format: ExportFormat, requestId: string | null, standing: Representation): Promise<ExportResult> {
    const doc = await this.exporter.build(subjectId);
    if (!doc.profile && doc.activityLog.length === 0) throw new DomainError('not_found', 'USER_NOT_FOUND', 'nothing is held about this person (erased, or never existed)');
    const at = this.clock.nowIso();
    const audit = subjectEvent(actor, { type: 'PersonalDataExported', data: { userId: subjectId, by: actor.userId, format, requestId, events: doc.activityLog.length, at } });
    await this.log.appendBatch([
      { streamId: userStream(subjectId), events: [audit], expectedRevision: 'any' },
      ...(actor.userId === subjectId ? [] : [{ streamId: activityStream(actor.userId), events: personalDataAccessEvents(actor, { subjectIds: [subjectId], what: 'export', purpose: PURPOSE[standing] }), expectedRevision: 'any' as const }]),
    ]);
    if (format === 'json') return doc;
    const profile = doc.profile as { email?: string | null; displayName?: string | null } | null;
    return {
      version: '1.0.3',
      subject: { userId: subjectId },
      generatedAt: doc.generatedAt,
      statements: toXapi(doc.activityLog, { userId: subjectId, email: profile?.email ?? null, displayName: profile?.displayName ?? null }, this.options.xapiHomePage),
    };
  }
}

@QueryHandler(ExportPersonalDataQuery)
export class ExportPersonalDataHandler extends Exporting implements IQueryHandler<ExportPersonalDataQuery, ExportResult> {
  constructor(
    private readonly policy: AccessPolicy,
    clock: Clock,
    exporter: SubjectExporter,
    log: EventLog,
    @Inject(PRIVACY_OPTIONS) options: PrivacyOptions,
  ) {
    super(clock, exporter, log, options);
  }

  async execute({ actor, subjectId, format }: ExportPersonalDataQuery): Promise<ExportResult> {
    const standing = await requireRepresentation(this.policy, actor, subjectId, ['self', 'parent']);
    return this.export(actor, subjectId, format, null, standing);
  }
}

@QueryHandler(ExportRequestedDataQuery)
export class ExportRequestedDataHandler extends Exporting implements IQueryHandler<ExportRequestedDataQuery, ExportResult> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
    clock: Clock,
    exporter: SubjectExporter,
    log: EventLog,
    @Inject(PRIVACY_OPTIONS) options: PrivacyOptions,
  ) {
    super(clock, exporter, log, options);
  }

  async execute({ actor, requestId, format }: ExportRequestedDataQuery): Promise<ExportResult> {
    const request = await visibleRequest(this.policy, this.reader, actor, requestId);
    // Seeing a request is not downloading it: only its subject, its requester (who still stands for
    // the subject) and the DPO may. Anyone else who may see it (a school admin of the learner) gets a 403.
    const standing = await representationOf(this.policy, actor, request.subjectId);
    const mayDownload = standing === 'self' || standing === 'dpo' || (standing !== null && request.filedBy === actor.userId);
    if (!mayDownload) throw new DomainError('forbidden', 'FORBIDDEN', 'only the subject, the requester and the DPO may download this export');
    if (request.type !== 'export') throw new DomainError('rule', 'NOT_AN_EXPORT', 'this request is not an export');
    if (request.outcome !== 'export_ready') throw new DomainError('rule', 'EXPORT_NOT_READY', 'the export is available once the request is approved');
    return this.export(actor, request.subjectId, format, requestId, standing);
  }
}
