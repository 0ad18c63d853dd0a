/** What the privacy endpoints answer, from its read models. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiNullable } from '@learnstream/core';
import { isOpen, type RequestStatus } from './privacy-request';
import { MENTION_RECORDS, REQUEST_TYPES, type MentionRecord, type RequestType } from './privacy.events';

export class RequestHoldView {
  @ApiProperty({ format: 'uuid' }) holdId!: string;
  @ApiNullable(String) reason!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'null: until lifted' }) until!: string | null;
}

export class RequestView {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiProperty({ enum: REQUEST_TYPES }) type!: RequestType;
  @ApiProperty({ enum: ['pending', 'approved', 'deferred', 'completed', 'rejected', 'withdrawn'] }) status!: RequestStatus;
  @ApiNullable(String, { format: 'uuid', description: 'null: filed by the system (retention sweep)' }) filedBy!: string | null;
  @ApiProperty({ enum: ['self', 'parent', 'school_admin', 'dpo', 'system'] }) filedAs!: string;
  @ApiProperty({ format: 'date-time' }) filedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'the deadline: filedAt + PRIVACY_REQUEST_DEADLINE_DAYS (30)' }) dueAt!: string;
  @ApiProperty({ description: 'still open after the deadline' }) overdue!: boolean;
  @ApiNullable(Number, { description: 'whole days left until the deadline (negative: overdue), while open; null once closed' }) daysLeft!: number | null;
  @ApiNullable(String, { format: 'uuid' }) decidedBy!: string | null;
  @ApiNullable(String, { format: 'date-time' }) decidedAt!: string | null;
  @ApiNullable(String, { description: 'the DPO’s reason (always given for a rejection)' }) decisionReason!: string | null;
  @ApiNullable(String, { format: 'date-time' }) completedAt!: string | null;
  @ApiNullable(String, { enum: ['export_ready', 'rectified', 'erased', 'restricted', 'objected'] }) outcome!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: '{ note?, changes? } as filed; null once the subject is erased' }) details!: Record<string, unknown> | null;
  @ApiNullable(() => RequestHoldView, { description: 'a deferred erasure: the legal hold it waits for' })
  hold!: RequestHoldView | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** A row of `privacy_requests`. */
export interface RequestRow {
  request_id: string;
  subject_id: string;
  type: RequestType;
  status: RequestStatus;
  filed_by: string | null;
  filed_as: string;
  filed_at: Date;
  due_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  completed_at: Date | null;
  outcome: string | null;
  details: Record<string, unknown> | null;
  /** A deferred request's legal hold (PrivacyReader adds them from subject_flags). */
  hold_id?: string | null;
  hold_reason?: string | null;
  hold_until?: Date | null;
}

export function requestViewOf(r: RequestRow, now: Date): RequestView {
  const open = isOpen(r.status);
  const due = new Date(r.due_at).getTime();
  return {
    requestId: r.request_id,
    subjectId: r.subject_id,
    type: r.type,
    status: r.status,
    filedBy: r.filed_by,
    filedAs: r.filed_as,
    filedAt: iso(r.filed_at)!,
    dueAt: iso(r.due_at)!,
    overdue: open && now.getTime() > due,
    daysLeft: open ? Math.floor((due - now.getTime()) / 86_400_000) : null,
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason,
    completedAt: iso(r.completed_at),
    outcome: r.outcome,
    details: r.details,
    hold: r.hold_id ? { holdId: r.hold_id, reason: r.hold_reason ?? null, until: iso(r.hold_until) } : null,
  };
}

export class ReceiptView {
  @ApiProperty() projection!: string;
  @ApiNullable(String, { format: 'date-time', description: 'when the projection forgot the person (null: not yet)' }) acknowledgedAt!: string | null;
}

/** One place an erased person's name stood in someone else's free text (the DPO's mentions report). */
export class MentionResponse {
  @ApiProperty({ format: 'uuid' }) mentionId!: string;
  @ApiProperty({ format: 'uuid', description: 'whose record the text is' }) ownerId!: string;
  @ApiProperty({ enum: MENTION_RECORDS }) record!: MentionRecord;
  @ApiProperty({ format: 'uuid', description: 'the assignment, quiz attempt or offline test' }) recordId!: string;
  @ApiProperty({ description: 'text, feedback, or answer:<questionId>' }) field!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'up to 40 characters either side, the name masked (█); null once the owner’s text is gone' }) excerpt!: string | null;
  @ApiProperty({ format: 'date-time' }) foundAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) redactedAt!: string | null;
}

export class MentionsResponse {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ type: () => MentionResponse, isArray: true }) mentions!: MentionResponse[];
}
