import { randomUUID } from 'node:crypto';
import { spec } from '../../domain/src/testing/given-when-then';
import type { SchoolEvent } from './affiliation.events';
import { evolveSchool, schoolDecider } from './school';

const schoolId = randomUUID();
const classId = randomUUID();
const admin = randomUUID();
const at = '2025-01-10T08:00:00.000Z';
const stamp = { by: admin, at };

const created: SchoolEvent = { type: 'SchoolCreated', data: { schoolId, name: 'Wat Pho School', code: 'WPS-01', country: 'TH', ...stamp } };
const archived: SchoolEvent = { type: 'SchoolArchived', data: { schoolId, ...stamp } };
const classCreated: SchoolEvent = { type: 'ClassCreated', data: { classId, schoolId, name: 'P4/1', gradeLevel: 'P4', ...stamp } };
const classArchived: SchoolEvent = { type: 'ClassArchived', data: { classId, schoolId, ...stamp } };

const given = spec(schoolDecider).given;

describe('school decider', () => {
  describe('CreateSchool', () => {
    const create = { type: 'CreateSchool' as const, schoolId, name: 'Wat Pho School', code: 'WPS-01', country: 'TH', ...stamp };

    it('creates a school', () => given().when(create).then([created]));
    it('refuses a school that exists', () => given(created).when(create).thenFails('SCHOOL_EXISTS'));
    it('refuses an empty or untrimmed name', () => {
      given().when({ ...create, name: '' }).thenFails('INVALID_NAME');
      given().when({ ...create, name: ' x ' }).thenFails('INVALID_NAME');
    });
    it('refuses a code outside A-Z 0-9 - of 2 to 20', () => {
      given().when({ ...create, code: 'wps' }).thenFails('INVALID_SCHOOL_CODE');
      given().when({ ...create, code: 'W' }).thenFails('INVALID_SCHOOL_CODE');
    });
    it('refuses a country that is not ISO 3166-1 alpha-2', () => given().when({ ...create, country: 'XX' }).thenFails('INVALID_COUNTRY'));
  });

  describe('UpdateSchool', () => {
    const update = (changes: object) => ({ type: 'UpdateSchool' as const, schoolId, changes, ...stamp });

    it('records only what changed', () =>
      given(created).when(update({ name: 'Wat Pho School', country: 'LA' })).then([{ type: 'SchoolUpdated', data: { schoolId, changes: { country: 'LA' }, ...stamp } }]));
    it('records nothing when nothing changes', () => given(created).when(update({ name: 'Wat Pho School' })).then([]));
    it('checks the new values', () => given(created).when(update({ code: 'bad code' })).thenFails('INVALID_SCHOOL_CODE'));
    it('needs the school', () => given().when(update({ name: 'X' })).thenFails('SCHOOL_NOT_FOUND'));
    it('refuses changes to an archived school', () => given(created, archived).when(update({ name: 'X' })).thenFails('SCHOOL_ARCHIVED'));
  });

  describe('ArchiveSchool', () => {
    const archive = { type: 'ArchiveSchool' as const, schoolId, ...stamp };
    it('archives, once', () => {
      given(created).when(archive).then([archived]);
      given(created, archived).when(archive).then([]);
    });
    it('needs the school', () => given().when(archive).thenFails('SCHOOL_NOT_FOUND'));
  });

  describe('classes', () => {
    const create = { type: 'CreateClass' as const, schoolId, classId, name: 'P4/1', gradeLevel: 'P4', ...stamp };
    const update = (changes: object) => ({ type: 'UpdateClass' as const, schoolId, classId, changes, ...stamp });

    it('creates a class in an open school', () => given(created).when(create).then([classCreated]));
    it('needs an open school', () => {
      given().when(create).thenFails('SCHOOL_NOT_FOUND');
      given(created, archived).when(create).thenFails('SCHOOL_ARCHIVED');
    });
    it('refuses a second class with the same id, or the same name (any case) among open classes', () => {
      given(created, classCreated).when(create).thenFails('CLASS_EXISTS');
      given(created, classCreated).when({ ...create, classId: randomUUID(), name: 'p4/1' }).thenFails('CLASS_NAME_TAKEN');
      given(created, classCreated, classArchived).when({ ...create, classId: randomUUID() }).events();
    });
    it('checks the grade level', () => given(created).when({ ...create, gradeLevel: 'x'.repeat(31) }).thenFails('INVALID_GRADE_LEVEL'));
    it('updates what changed, and nothing else', () => {
      given(created, classCreated).when(update({ name: 'P4/2', gradeLevel: 'P4' })).then([{ type: 'ClassUpdated', data: { classId, schoolId, changes: { name: 'P4/2' }, ...stamp } }]);
      given(created, classCreated).when(update({ gradeLevel: null })).then([{ type: 'ClassUpdated', data: { classId, schoolId, changes: { gradeLevel: null }, ...stamp } }]);
      given(created, classCreated).when(update({ name: 'P4/1' })).then([]);
    });
    it('refuses to update an unknown or archived class', () => {
      given(created).when(update({ name: 'x' })).thenFails('CLASS_NOT_FOUND');
      given(created, classCreated, classArchived).when(update({ name: 'x' })).thenFails('CLASS_ARCHIVED');
    });
    it('archives a class, once', () => {
      given(created, classCreated).when({ type: 'ArchiveClass', schoolId, classId, ...stamp }).then([classArchived]);
      given(created, classCreated, classArchived).when({ type: 'ArchiveClass', schoolId, classId, ...stamp }).then([]);
      given(created).when({ type: 'ArchiveClass', schoolId, classId, ...stamp }).thenFails('CLASS_NOT_FOUND');
    });
  });

  it('evolve ignores events of other features (a user stream, a course)', () => {
    const state = evolveSchool(null, created);
    expect(evolveSchool(state, { type: 'AccountCreated', data: {} })).toBe(state);
    expect(given(created, classCreated).state).toMatchObject({ code: 'WPS-01', classes: { [classId]: { name: 'P4/1', archivedAt: null } } });
  });
});
