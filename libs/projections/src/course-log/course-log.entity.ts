import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per event that belongs to a course: the course log (Moodle's logs report). */
@Entity({ name: 'course_log' })
@Index('course_log_course_time_idx', ['courseId', 'occurredAt'])
export class CourseLogEntry {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('uuid', { name: 'course_id' })
  courseId!: string;

  @Column('uuid', { name: 'school_id', nullable: true })
  schoolId!: string | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Column('text')
  action!: string;

  @Column('char', { length: 1 })
  crud!: string;

  @Column('text', { name: 'object_type', nullable: true })
  objectType!: string | null;

  @Column('uuid', { name: 'object_id', nullable: true })
  objectId!: string | null;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('uuid', { name: 'real_actor_id', nullable: true })
  realActorId!: string | null;

  @Column('uuid', { name: 'related_user_id', nullable: true })
  relatedUserId!: string | null;

  @Column('text')
  origin!: string;

  /** Global position, as commit/prepare: the log's order. */
  @Column('text')
  position!: string;
}
