/**
 * The Open University Learning Analytics Dataset's layout (Kuzilek, Hlosta,
 * Zdrahal 2017, CC BY 4.0): courses.csv, assessments.csv, studentInfo.csv,
 * studentRegistration.csv, studentAssessment.csv. Times there are days
 * relative to each presentation's start; here they become instants:
 *
 *   a presentation YYYYB starts in February of YYYY, YYYYJ in October; day 0
 *   of 2013J is `start` (default 2013-10-01) and the others keep their
 *   distance from it in months (2013B: 8 months earlier, 2014J: 12 later);
 *   something that happened on day t happened at noon of that day;
 *   an assessment due on day t is due at the end of it (23:59:59 UTC);
 *   "as of day d" is the end of day d (23:59:59 UTC).
 *
 * Both the trainer (from the files) and the importer (through the API) use
 * these functions, so the trainer's snapshot and the class report's are the
 * same facts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DAY_MS, type CourseSnapshot } from './features';

export const OULAD_FILES = ['courses.csv', 'assessments.csv', 'studentInfo.csv', 'studentRegistration.csv', 'studentAssessment.csv'] as const;
export const DEFAULT_OULAD_START = '2013-10-01';

export type FinalResult = 'Pass' | 'Distinction' | 'Fail' | 'Withdrawn';

export interface OuladAssessment {
  id: string;
  type: 'TMA' | 'CMA' | 'Exam';
  /** Due day; null when the file leaves it empty. */
  day: number | null;
  weight: number;
}

export interface OuladStudent {
  id: string;
  finalResult: FinalResult;
  registrationDay: number | null;
  unregistrationDay: number | null;
  numOfPrevAttempts: number;
  studiedCredits: number;
}

export interface OuladResult {
  assessmentId: string;
  studentId: string;
  day: number;
  banked: boolean;
  /** 0–100; null when '?' (submitted, no score). */
  score: number | null;
}

export interface OuladPresentation {
  module: string;
  presentation: string;
  lengthDays: number;
  /** Day 0, epoch ms (midnight UTC). */
  startAt: number;
  assessments: OuladAssessment[];
  students: OuladStudent[];
  results: OuladResult[];
}

const rows = (dir: string, file: string): Record<string, string>[] => parse(readFileSync(join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
const day = (v: string | undefined): number | null => (v === undefined || v === '' || v === '?' ? null : Number(v));

/** Day 0 of a presentation code (2013J, 2014B, …) given day 0 of 2013J. */
export function presentationStart(code: string, start: string = DEFAULT_OULAD_START): number {
  const m = /^(\d{4})([BJ])$/.exec(code);
  if (!m) throw new Error(`presentation code ${code} is not YYYYB or YYYYJ`);
  const base = new Date(`${start}T00:00:00Z`);
  if (Number.isNaN(base.getTime())) throw new Error(`start ${start} is not a date YYYY-MM-DD`);
  const months = (Number(m[1]) - 2013) * 12 + (m[2] === 'B' ? -8 : 0);
  return Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + months, base.getUTCDate());
}

/** Noon of day t. */
export const happenedAt = (startAt: number, t: number) => startAt + t * DAY_MS + DAY_MS / 2;
/** The end of day t (23:59:59). */
export const endOfDay = (startAt: number, t: number) => startAt + (t + 1) * DAY_MS - 1000;

export function readOulad(dir: string, start: string = DEFAULT_OULAD_START): OuladPresentation[] {
  const key = (m: string, p: string) => `${m}|${p}`;
  const presentations = new Map<string, OuladPresentation>();
  for (const c of rows(dir, 'courses.csv')) {
    presentations.set(key(c.code_module, c.code_presentation), {
      module: c.code_module,
      presentation: c.code_presentation,
      lengthDays: Number(c.module_presentation_length),
      startAt: presentationStart(c.code_presentation, start),
      assessments: [],
      students: [],
      results: [],
    });
  }
  const of = (m: string, p: string) => {
    const found = presentations.get(key(m, p));
    if (!found) throw new Error(`${m} ${p} is not in courses.csv`);
    return found;
  };
  const assessmentOf = new Map<string, OuladPresentation>();
  for (const a of rows(dir, 'assessments.csv')) {
    const p = of(a.code_module, a.code_presentation);
    p.assessments.push({ id: a.id_assessment, type: a.assessment_type as OuladAssessment['type'], day: day(a.date), weight: Number(a.weight) });
    assessmentOf.set(a.id_assessment, p);
  }
  const registrations = new Map<string, Record<string, string>>();
  for (const r of rows(dir, 'studentRegistration.csv')) registrations.set(`${r.code_module}|${r.code_presentation}|${r.id_student}`, r);
  for (const s of rows(dir, 'studentInfo.csv')) {
    const r = registrations.get(`${s.code_module}|${s.code_presentation}|${s.id_student}`);
    of(s.code_module, s.code_presentation).students.push({
      id: s.id_student,
      finalResult: s.final_result as FinalResult,
      registrationDay: day(r?.date_registration),
      unregistrationDay: day(r?.date_unregistration),
      numOfPrevAttempts: Number(s.num_of_prev_attempts),
      studiedCredits: Number(s.studied_credits),
    });
  }
  for (const r of rows(dir, 'studentAssessment.csv')) {
    const p = assessmentOf.get(r.id_assessment);
    if (!p) throw new Error(`assessment ${r.id_assessment} is not in assessments.csv`);
    p.results.push({ assessmentId: r.id_assessment, studentId: r.id_student, day: Number(r.date_submitted), banked: r.is_banked === '1', score: day(r.score) });
  }
  return [...presentations.values()].sort((a, b) => a.module.localeCompare(b.module) || a.presentation.localeCompare(b.presentation));
}

/** The learner went on to fail or withdraw. */
export const atRiskOutcome = (s: OuladStudent) => s.finalResult === 'Fail' || s.finalResult === 'Withdrawn';

export const assessmentTitle = (a: OuladAssessment) => `${a.type} ${a.id}`;

/** When a student's enrolment, and its end, are recorded (the importer writes them so): the end after the start. */
export function enrolmentTimes(p: OuladPresentation, s: OuladStudent): { enrolledAt: number; unenrolledAt: number | null } {
  const enrolledAt = happenedAt(p.startAt, s.registrationDay ?? 0);
  return { enrolledAt, unenrolledAt: s.unregistrationDay === null ? null : Math.max(happenedAt(p.startAt, s.unregistrationDay), enrolledAt + 1000) };
}

/** When a result is recorded: its day, or just after the enrolment when older (a banked result); null after the unenrolment (the product refuses it). */
export function resultTime(p: OuladPresentation, s: OuladStudent, day: number): number | null {
  const { enrolledAt, unenrolledAt } = enrolmentTimes(p, s);
  const at = Math.max(happenedAt(p.startAt, day), enrolledAt + 1000);
  return unenrolledAt !== null && at >= unenrolledAt ? null : at;
}

/** Enrolled at the end of day d: registered by then and not yet gone. */
export function enrolledOn(p: OuladPresentation, s: OuladStudent, d: number): boolean {
  const { enrolledAt, unenrolledAt } = enrolmentTimes(p, s);
  const asOf = endOfDay(p.startAt, d);
  return enrolledAt <= asOf && !(unenrolledAt !== null && unenrolledAt <= asOf);
}

/** Had left by the end of day d (excluded from the eval at d: already withdrawn). */
export function withdrawnBy(p: OuladPresentation, s: OuladStudent, d: number): boolean {
  const { unenrolledAt } = enrolmentTimes(p, s);
  return unenrolledAt !== null && unenrolledAt <= endOfDay(p.startAt, d);
}

/** What the log of the presentation says by the end of day d, as the class report reads it after the import. */
export function ouladSnapshot(p: OuladPresentation, d: number): CourseSnapshot {
  const asOf = endOfDay(p.startAt, d);
  const students = new Map(p.students.map((s) => [s.id, s]));
  const results = new Map<string, { assessmentId: string; submittedAt: number; score: number | null }[]>();
  for (const r of p.results) {
    const at = resultTime(p, students.get(r.studentId)!, r.day);
    if (at === null || at > asOf) continue;
    results.set(r.studentId, [...(results.get(r.studentId) ?? []), { assessmentId: r.assessmentId, submittedAt: at, score: r.score === null ? null : r.score / 100 }]);
  }
  return {
    courseId: `${p.module}-${p.presentation}`,
    asOf,
    assessments: p.assessments.map((a) => ({ id: a.id, title: assessmentTitle(a), dueAt: a.day === null ? null : endOfDay(p.startAt, a.day) })),
    learners: p.students.filter((s) => enrolledOn(p, s, d)).map((s) => ({ learnerId: s.id, enrolledAt: enrolmentTimes(p, s).enrolledAt, submissions: results.get(s.id) ?? [] })),
  };
}

/** Training courses of every presentation at each day: its snapshot and the outcome of the learners still enrolled then. */
export function ouladTrainingCourses(presentations: readonly OuladPresentation[], days: readonly number[]) {
  return presentations.flatMap((p) =>
    days.map((d) => ({
      group: p.module,
      name: `${p.module} ${p.presentation}`,
      day: d,
      snapshot: ouladSnapshot(p, d),
      outcomes: new Map(p.students.filter((s) => enrolledOn(p, s, d)).map((s) => [s.id, atRiskOutcome(s)])),
    })),
  );
}
