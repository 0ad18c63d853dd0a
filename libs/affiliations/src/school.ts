/**
 * A school (tenant) and its classes: state, evolve and decide. Pure: ids and
 * time come in the command. Uniqueness of the school code is not decided here
 * (a decider sees one stream); the handler checks the schools read model.
 */
import { DomainError, type Decider } from '@learnstream/domain';
import type { ClassChanges, SchoolChanges, SchoolEvent } from './affiliation.events';
import { isCountry, isGradeLevel, isSchoolCode, isText, NAME_MAX } from './values';

export interface ClassState {
  classId: string;
  name: string;
  gradeLevel: string | null;
  createdAt: string;
  archivedAt: string | null;
}

export interface SchoolState {
  schoolId: string;
  name: string;
  code: string;
  country: string;
  createdAt: string;
  archivedAt: string | null;
  classes: Record<string, ClassState>;
}

interface Stamp {
  by: string | null;
  at: string;
}

export type SchoolCommand =
  | ({ type: 'CreateSchool'; schoolId: string; name: string; code: string; country: string } & Stamp)
  | ({ type: 'UpdateSchool'; schoolId: string; changes: SchoolChanges } & Stamp)
  | ({ type: 'ArchiveSchool'; schoolId: string } & Stamp)
  | ({ type: 'CreateClass'; schoolId: string; classId: string; name: string; gradeLevel: string | null } & Stamp)
  | ({ type: 'UpdateClass'; schoolId: string; classId: string; changes: ClassChanges } & Stamp)
  | ({ type: 'ArchiveClass'; schoolId: string; classId: string } & Stamp);

/** Folds the school stream; ignores events that are not a school's. */
export function evolveSchool(state: SchoolState | null, event: { type: string; data: unknown }): SchoolState | null {
  const e = event as SchoolEvent;
  switch (e.type) {
    case 'SchoolCreated':
      return { schoolId: e.data.schoolId, name: e.data.name, code: e.data.code, country: e.data.country, createdAt: e.data.at, archivedAt: null, classes: {} };
    case 'SchoolUpdated':
      return state && { ...state, ...e.data.changes };
    case 'SchoolArchived':
      return state && { ...state, archivedAt: e.data.at };
    case 'ClassCreated':
      return state && { ...state, classes: { ...state.classes, [e.data.classId]: { classId: e.data.classId, name: e.data.name, gradeLevel: e.data.gradeLevel, createdAt: e.data.at, archivedAt: null } } };
    case 'ClassUpdated': {
      const current = state?.classes[e.data.classId];
      return current ? { ...state!, classes: { ...state!.classes, [e.data.classId]: { ...current, ...e.data.changes } } } : state;
    }
    case 'ClassArchived': {
      const current = state?.classes[e.data.classId];
      return current ? { ...state!, classes: { ...state!.classes, [e.data.classId]: { ...current, archivedAt: e.data.at } } } : state;
    }
    default:
      return state;
  }
}

const invalid = (code: string, message: string) => new DomainError('invalid', code, message);

function checkName(name: unknown): void {
  if (!isText(name, NAME_MAX)) throw invalid('INVALID_NAME', `a name is 1 to ${NAME_MAX} characters, without leading or trailing spaces`);
}
function checkCode(code: unknown): void {
  if (!isSchoolCode(code)) throw invalid('INVALID_SCHOOL_CODE', 'a school code is 2 to 20 of A-Z, 0-9 and -');
}
function checkCountry(country: unknown): void {
  if (!isCountry(country)) throw invalid('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code in capitals, e.g. TH');
}
function checkGradeLevel(gradeLevel: unknown): void {
  if (!isGradeLevel(gradeLevel)) throw invalid('INVALID_GRADE_LEVEL', 'a grade level is null or 1 to 30 characters');
}

/** The school, which must exist and be open for changes. */
function openSchool(state: SchoolState | null): SchoolState {
  if (!state) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', 'no such school');
  if (state.archivedAt) throw new DomainError('rule', 'SCHOOL_ARCHIVED', 'the school is archived');
  return state;
}

function openClass(school: SchoolState, classId: string): ClassState {
  const found = school.classes[classId];
  if (!found) throw new DomainError('not_found', 'CLASS_NOT_FOUND', 'no such class in this school');
  if (found.archivedAt) throw new DomainError('rule', 'CLASS_ARCHIVED', 'the class is archived');
  return found;
}

/** Class names are unique among a school's open classes (case-insensitive). */
function checkClassNameFree(school: SchoolState, name: string, except?: string): void {
  const taken = Object.values(school.classes).some((c) => !c.archivedAt && c.classId !== except && c.name.toLowerCase() === name.toLowerCase());
  if (taken) throw new DomainError('conflict', 'CLASS_NAME_TAKEN', `the school already has a class named "${name}"`);
}

/** Only the fields whose value differs. */
function changed<T extends object>(current: T, changes: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && current[k as keyof T] !== v)) as Partial<T>;
}

export function decideSchool(command: SchoolCommand, state: SchoolState | null): SchoolEvent[] {
  const { by, at } = command;
  switch (command.type) {
    case 'CreateSchool': {
      if (state) throw new DomainError('conflict', 'SCHOOL_EXISTS', 'this school already exists');
      checkName(command.name);
      checkCode(command.code);
      checkCountry(command.country);
      const { schoolId, name, code, country } = command;
      return [{ type: 'SchoolCreated', data: { schoolId, name, code, country, by, at } }];
    }
    case 'UpdateSchool': {
      const school = openSchool(state);
      const { name, code, country } = command.changes;
      if (name !== undefined) checkName(name);
      if (code !== undefined) checkCode(code);
      if (country !== undefined) checkCountry(country);
      const changes = changed(school, { name, code, country });
      return Object.keys(changes).length ? [{ type: 'SchoolUpdated', data: { schoolId: school.schoolId, changes, by, at } }] : [];
    }
    case 'ArchiveSchool': {
      if (!state) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', 'no such school');
      return state.archivedAt ? [] : [{ type: 'SchoolArchived', data: { schoolId: state.schoolId, by, at } }];
    }
    case 'CreateClass': {
      const school = openSchool(state);
      if (school.classes[command.classId]) throw new DomainError('conflict', 'CLASS_EXISTS', 'this class already exists');
      checkName(command.name);
      checkGradeLevel(command.gradeLevel);
      checkClassNameFree(school, command.name);
      return [{ type: 'ClassCreated', data: { classId: command.classId, schoolId: school.schoolId, name: command.name, gradeLevel: command.gradeLevel, by, at } }];
    }
    case 'UpdateClass': {
      const school = openSchool(state);
      const current = openClass(school, command.classId);
      const { name, gradeLevel } = command.changes;
      if (name !== undefined) {
        checkName(name);
        checkClassNameFree(school, name, current.classId);
      }
      if (gradeLevel !== undefined) checkGradeLevel(gradeLevel);
      const changes = changed(current, { name, gradeLevel });
      return Object.keys(changes).length ? [{ type: 'ClassUpdated', data: { classId: current.classId, schoolId: school.schoolId, changes, by, at } }] : [];
    }
    case 'ArchiveClass': {
      if (!state) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', 'no such school');
      const current = state.classes[command.classId];
      if (!current) throw new DomainError('not_found', 'CLASS_NOT_FOUND', 'no such class in this school');
      return current.archivedAt ? [] : [{ type: 'ClassArchived', data: { classId: current.classId, schoolId: state.schoolId, by, at } }];
    }
  }
}

export const schoolDecider: Decider<SchoolCommand, SchoolEvent, SchoolState | null> = {
  initialState: () => null,
  evolve: evolveSchool,
  decide: decideSchool,
};
