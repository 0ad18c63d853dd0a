/**
 * The mapping file (JSON) an import may be given:
 *
 *   {
 *     "site": "moodle",                           Moodle site name (default: --site, else "moodle")
 *     "siteUrl": "https://moodle.example.org",    where placeholder resources link to
 *     "users":   { "<moodle user id>": "<Learnstream user id>" },
 *     "courses": { "<moodle course id>": "<Learnstream course id>" },
 *     "modules": { "<moodle course module id>": "<Learnstream resource id>" },
 *     "people":  { "<full name, as the Logs report writes it>": "<Learnstream user id>" },
 *     "courseNames": { "<course name, as in "Course: <name>">": "<Learnstream course id>" },
 *     "learners":   { "<email or ID number>": "<Learnstream user id>" },   (grades import)
 *     "gradeItems": { "<grade item name>": { "maxGrade": 10 } }         (grades import)
 *   }
 *
 * Every part is optional. Unknown keys are refused, so a typo is not ignored.
 */
import { readFile } from 'node:fs/promises';
import { DomainError, isUuid } from '@learnstream/domain';

export interface MappingFile {
  site?: string;
  siteUrl?: string;
  users: Record<string, string>;
  courses: Record<string, string>;
  modules: Record<string, string>;
  /** The Logs report: people it names without an id. */
  people: Record<string, string>;
  /** The Logs report: courses it names ("Course: <name>") without an id. */
  courseNames: Record<string, string>;
  learners: Record<string, string>;
  gradeItems: Record<string, { maxGrade: number }>;
}

export const SITE = /^[a-z][a-z0-9_-]{0,39}$/;

export const EMPTY_MAPPING: MappingFile = { users: {}, courses: {}, modules: {}, people: {}, courseNames: {}, learners: {}, gradeItems: {} };

const invalid = (problems: string[]) => new DomainError('invalid', 'MAPPING_INVALID', `the mapping file is not valid: ${problems.slice(0, 5).join('; ')}`, problems);

export function parseMapping(json: unknown): MappingFile {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(['it must be a JSON object']);
  const doc = json as Record<string, unknown>;
  const known = ['site', 'siteUrl', 'users', 'courses', 'modules', 'people', 'courseNames', 'learners', 'gradeItems'];
  for (const key of Object.keys(doc)) if (!known.includes(key)) problems.push(`unknown key "${key}" (known: ${known.join(', ')})`);
  if (doc.site !== undefined && (typeof doc.site !== 'string' || !SITE.test(doc.site))) problems.push('site must be 1 to 40 lower-case letters, digits, - or _, starting with a letter');
  if (doc.siteUrl !== undefined && (typeof doc.siteUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(doc.siteUrl))) problems.push('siteUrl must be an http(s) URL');
  const ids = (key: string, keyPattern: RegExp, what: string): Record<string, string> => {
    const value = doc[key];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${key} must be an object`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!keyPattern.test(k)) problems.push(`${key}: "${k}" is not ${what}`);
      else if (typeof v !== 'string' || !isUuid(v)) problems.push(`${key}.${k} must be a Learnstream id (UUID)`);
      else out[k] = v.toLowerCase();
    }
    return out;
  };
  const users = ids('users', /^[1-9]\d{0,14}$/, 'a Moodle user id');
  const courses = ids('courses', /^[1-9]\d{0,14}$/, 'a Moodle course id');
  const modules = ids('modules', /^[1-9]\d{0,14}$/, 'a Moodle course module id');
  const people = ids('people', /^\S.{0,254}$/, 'a full name');
  const courseNames = ids('courseNames', /^\S.{0,254}$/, 'a course name');
  const learners = ids('learners', /^\S.{0,254}$/, 'an email address or ID number');
  const gradeItems: MappingFile['gradeItems'] = {};
  if (doc.gradeItems !== undefined) {
    if (typeof doc.gradeItems !== 'object' || doc.gradeItems === null || Array.isArray(doc.gradeItems)) problems.push('gradeItems must be an object');
    else {
      for (const [name, v] of Object.entries(doc.gradeItems)) {
        const max = (v as { maxGrade?: unknown })?.maxGrade;
        if (typeof max !== 'number' || !(max > 0)) problems.push(`gradeItems["${name}"].maxGrade must be a positive number`);
        else gradeItems[name] = { maxGrade: max };
      }
    }
  }
  if (problems.length) throw invalid(problems);
  return { ...(doc.site !== undefined && { site: doc.site as string }), ...(doc.siteUrl !== undefined && { siteUrl: doc.siteUrl as string }), users, courses, modules, people, courseNames, learners, gradeItems };
}

export async function loadMapping(path: string): Promise<MappingFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DomainError('invalid', 'MAPPING_INVALID', `cannot read the mapping file ${path}: ${(error as Error).message}`);
  }
  try {
    return parseMapping(JSON.parse(text));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('invalid', 'MAPPING_INVALID', `the mapping file ${path} is not JSON: ${(error as Error).message}`);
  }
}
