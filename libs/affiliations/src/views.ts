/** What the endpoints answer (documented in OpenAPI), and how rows of the read models become it. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCHOOL_ROLES, type SchoolRole } from '@learnstream/access';
import type { Membership } from './membership';
import type { ParentLinkStatus } from './parent-link';
import type { ClassState, SchoolState } from './school';
import type { TransferStatus } from './transfer';

/** Rows of the read models (timestamps come back as Date). */
type Time = Date | string;
export interface SchoolRow { school_id: string; name: string; code: string; country: string; created_at: Time; archived_at: Time | null }
export interface ClassRow { class_id: string; school_id: string; name: string; grade_level: string | null; created_at: Time; archived_at: Time | null }
export interface MembershipRow {
  membership_id: string;
  user_id: string;
  school_id: string;
  role: SchoolRole;
  class_id: string | null;
  grade_level: string | null;
  started_at: Time;
  ended_at: Time | null;
}
export type AffiliationRow = MembershipRow & { school_name: string | null; school_code: string | null; class_name: string | null };
export type MemberRow = Omit<MembershipRow, 'school_id'> & { username: string | null; display_name: string | null; email: string | null };
export interface ParentLinkRow {
  link_id: string;
  parent_id: string;
  child_id: string;
  status: ParentLinkStatus;
  parent_display_name?: string | null;
  child_display_name?: string | null;
  requested_by: string;
  requested_at: Time;
  decided_by: string | null;
  decided_at: Time | null;
}
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export class SchoolView {
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty({ example: 'Wat Pho School' }) name!: string;
  @ApiProperty({ example: 'WPS-01' }) code!: string;
  @ApiProperty({ example: 'TH' }) country!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) archivedAt!: string | null;
}

export const schoolViewOf = (s: SchoolState): SchoolView => ({ schoolId: s.schoolId, name: s.name, code: s.code, country: s.country, createdAt: s.createdAt, archivedAt: s.archivedAt });
export const schoolViewOfRow = (r: SchoolRow): SchoolView => ({ schoolId: r.school_id, name: r.name, code: r.code, country: r.country, createdAt: iso(r.created_at)!, archivedAt: iso(r.archived_at) });

export class ClassView {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty({ example: 'P4/1' }) name!: string;
  @ApiProperty({ example: 'P4', nullable: true, type: String }) gradeLevel!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) archivedAt!: string | null;
}

export class SchoolListView {
  @ApiProperty({ type: () => SchoolView, isArray: true }) schools!: SchoolView[];
}

export class ClassListView {
  @ApiProperty({ type: () => ClassView, isArray: true }) classes!: ClassView[];
}

export const classViewOf = (schoolId: string, c: ClassState): ClassView => ({ classId: c.classId, schoolId, name: c.name, gradeLevel: c.gradeLevel, createdAt: c.createdAt, archivedAt: c.archivedAt });
export const classViewOfRow = (r: ClassRow): ClassView => ({ classId: r.class_id, schoolId: r.school_id, name: r.name, gradeLevel: r.grade_level, createdAt: iso(r.created_at)!, archivedAt: iso(r.archived_at) });

export class MembershipView {
  @ApiProperty({ format: 'uuid' }) membershipId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty({ enum: SCHOOL_ROLES }) role!: SchoolRole;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) classId!: string | null;
  @ApiProperty({ nullable: true, type: String }) gradeLevel!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null while the membership is active' }) endedAt!: string | null;
}

export const membershipViewOf = (userId: string, m: Membership): MembershipView => ({
  membershipId: m.membershipId, userId, schoolId: m.schoolId, role: m.role, classId: m.classId, gradeLevel: m.gradeLevel, startedAt: m.startedAt, endedAt: m.endedAt,
});
const membershipViewOfRow = (r: MembershipRow): MembershipView => ({
  membershipId: r.membership_id, userId: r.user_id, schoolId: r.school_id, role: r.role, classId: r.class_id, gradeLevel: r.grade_level, startedAt: iso(r.started_at)!, endedAt: iso(r.ended_at),
});

export class AffiliationView extends MembershipView {
  @ApiProperty({ nullable: true, type: String, description: 'null when the school is outside the reader’s tenant scope' }) schoolName!: string | null;
  @ApiProperty({ nullable: true, type: String }) schoolCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) className!: string | null;
}

export const affiliationViewOfRow = (r: AffiliationRow): AffiliationView => ({ ...membershipViewOfRow(r), schoolName: r.school_name, schoolCode: r.school_code, className: r.class_name });

/** A school's directory entry: what a teacher sees. Staff views add the rest. */
export class MemberView {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ enum: SCHOOL_ROLES }) role!: SchoolRole;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) classId!: string | null;
  @ApiProperty({ nullable: true, type: String }) gradeLevel!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'school admins only' }) email?: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'school and platform admins' }) membershipId?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'school and platform admins' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'school and platform admins' }) endedAt?: string | null;
}

/** A page of a school's directory (README: one paging convention). */
export class MembersPage {
  @ApiProperty({ type: () => MemberView, isArray: true, description: 'by display name' }) members!: MemberView[];
  @ApiProperty({ description: 'every member the filters let through, on all pages' }) total!: number;
  @ApiProperty({ description: 'members left out (on all pages): their processing is restricted' }) restricted!: number;
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page; null on the last one' }) nextCursor!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'this request with the next page\'s cursor: follow it as it is; null on the last page' }) next!: string | null;
}

export type DirectoryView = 'teacher' | 'platform_admin' | 'school_admin';

export function memberViewOfRow(r: MemberRow, view: DirectoryView): MemberView {
  const basic: MemberView = { userId: r.user_id, username: r.username, displayName: r.display_name, role: r.role, classId: r.class_id, gradeLevel: r.grade_level };
  if (view === 'teacher') return basic;
  const staff = { ...basic, membershipId: r.membership_id, startedAt: iso(r.started_at)!, endedAt: iso(r.ended_at) };
  return view === 'school_admin' ? { ...staff, email: r.email } : staff;
}

export class ParentLinkView {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'uuidV5(parentId:childId): one link per pair; null in the answer to a request by username' })
  linkId!: string | null;
  @ApiProperty({ format: 'uuid' }) parentId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null in the answer to a request by username (the same answer whether or not the user exists)' })
  childId!: string | null;
  @ApiProperty({ enum: ['requested', 'confirmed', 'rejected', 'revoked'] }) status!: ParentLinkStatus;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null when the reader may not see that account' }) parentDisplayName?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) childDisplayName?: string | null;
  @ApiPropertyOptional({ format: 'uuid' }) requestedBy?: string;
  @ApiPropertyOptional({ format: 'date-time' }) requestedAt?: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'who moved the link to its status (confirmed, rejected, revoked)' }) decidedBy?: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) decidedAt?: string | null;
}

export const parentLinkViewOfRow = (r: ParentLinkRow): ParentLinkView => ({
  linkId: r.link_id, parentId: r.parent_id, childId: r.child_id, status: r.status, parentDisplayName: r.parent_display_name ?? null, childDisplayName: r.child_display_name ?? null,
  requestedBy: r.requested_by, requestedAt: iso(r.requested_at)!, decidedBy: r.decided_by, decidedAt: iso(r.decided_at),
});

export class ParentalConsentView {
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) parentId!: string;
  @ApiProperty({ type: [String], example: ['platform_use'] }) purposes!: string[];
  @ApiProperty({ format: 'date-time', description: 'since when a parental consent has been in force for the child' }) inForceSince!: string;
}

/**
 * A transfer, as its reader may see it: the asking school does not learn
 * which school a learner would leave (`fromSchoolId` null), and the school
 * left does not learn the asking school's class or staff (`classId`,
 * `requestedBy` null). The person, their parents and the platform admin see it all.
 */
export class TransferView {
  @ApiProperty({ format: 'uuid' }) transferId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid', description: 'the school asking' }) toSchoolId!: string;
  @ApiProperty({ nullable: true, type: String }) toSchoolName!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'the school a learner leaves; null for a staff role, an account of no school, or when the reader is the asking school' })
  fromSchoolId!: string | null;
  @ApiProperty({ enum: SCHOOL_ROLES }) role!: SchoolRole;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) classId!: string | null;
  @ApiProperty({ enum: ['requested', 'accepted', 'declined', 'cancelled'] }) status!: TransferStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) requestedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) decidedBy!: string | null;
  @ApiProperty({ enum: ['self', 'parent', 'platform_admin'], nullable: true, type: String, description: 'who accepted or declined: the person, a parent, the platform admin' })
  decidedAs!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decidedAt!: string | null;
}

/** Which side of a transfer the reader is on. */
export type TransferSide = 'to' | 'from' | 'person';

/** A row of `school_transfers`, with the receiving school's name where the reader may see it. */
export interface TransferRow {
  transfer_id: string;
  user_id: string;
  to_school_id: string;
  to_school_name?: string | null;
  from_school_id: string | null;
  role: SchoolRole;
  class_id: string | null;
  status: TransferStatus;
  requested_by: string | null;
  requested_at: Time;
  decided_by: string | null;
  decided_as: string | null;
  decided_at: Time | null;
}

export function transferViewOfRow(r: TransferRow, side: TransferSide): TransferView {
  return {
    transferId: r.transfer_id, userId: r.user_id, toSchoolId: r.to_school_id, toSchoolName: r.to_school_name ?? null,
    fromSchoolId: side === 'to' ? null : r.from_school_id, role: r.role, classId: side === 'from' ? null : r.class_id, status: r.status,
    requestedBy: side === 'from' ? null : r.requested_by, requestedAt: iso(r.requested_at)!, decidedBy: side === 'from' && r.decided_as !== 'self' ? null : r.decided_by,
    decidedAs: r.decided_as ?? null, decidedAt: iso(r.decided_at),
  };
}

export class TransferListView {
  @ApiProperty({ type: () => TransferView, isArray: true }) transfers!: TransferView[];
}

export class ParentLinkListView {
  @ApiProperty({ type: () => ParentLinkView, isArray: true }) parentLinks!: ParentLinkView[];
}

export class AffiliationListView {
  @ApiProperty({ type: () => AffiliationView, isArray: true }) affiliations!: AffiliationView[];
}
