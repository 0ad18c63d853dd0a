/**
 * A realistic school term, decided up front by a seeded generator: schools,
 * their admins, teachers, learners and parents; courses with sections and
 * resources; quizzes of skill-tagged questions; who is enrolled where, each
 * learner's ability (how often they answer right) and diligence (how much
 * activity they leave). Both writers (the HTTP seeder and the fast event
 * writer) take their content from here, so the same seed tells the same term.
 */
import { Prng } from './prng';
import { FAMILY_NAMES, GIVEN_NAMES, SCHOOL_NAMES, SUBJECTS } from './names';

export interface TermSpec {
  seed: number;
  schools: number;
  learnersPerSchool: number;
  teachersPerSchool: number;
  coursesPerSchool: number;
  /** Courses each learner takes (of their school's). */
  coursesPerLearner: number;
  quizzesPerCourse: number;
  questionsPerQuiz: number;
  parentsPerSchool: number;
  /** First day of the term (UTC, a Monday) and its length. */
  start: string;
  weeks: number;
}

export const SMALL_TERM: TermSpec = {
  seed: 2025,
  schools: 2,
  learnersPerSchool: 8,
  teachersPerSchool: 2,
  coursesPerSchool: 2,
  coursesPerLearner: 2,
  quizzesPerCourse: 1,
  questionsPerQuiz: 4,
  parentsPerSchool: 2,
  start: '2025-06-02T00:00:00.000Z',
  weeks: 12,
};

export type Role = 'school_admin' | 'teacher' | 'learner' | 'parent';

export interface PersonPlan {
  userId: string;
  username: string;
  role: Role;
  schoolIndex: number;
  givenName: string;
  familyName: string;
  displayName: string;
  email: string;
  dateOfBirth: string | null;
  gradeLevel: string | null;
  /** Learners: chance of answering a question right, and a weight for how much activity they leave. */
  ability: number;
  diligence: number;
}

export type QuestionPlan =
  | { questionId: string; kind: 'true_false'; text: string; points: number; skills: string[]; correct: boolean }
  | { questionId: string; kind: 'multiple_choice_single'; text: string; points: number; skills: string[]; choices: { id: string; text: string }[]; correct: string }
  | { questionId: string; kind: 'numeric'; text: string; points: number; skills: string[]; answer: number; tolerance: number };

export interface QuizPlan {
  quizId: string;
  title: string;
  /** Week of the term it is set in (learners attempt it that week or the next). */
  week: number;
  maxGrade: number;
  passGrade: number;
  questions: QuestionPlan[];
}

export interface ResourcePlan {
  resourceId: string;
  kind: 'page' | 'file' | 'video';
  title: string;
  /** Videos: length in seconds. */
  durationSeconds: number;
}

export interface CoursePlan {
  courseId: string;
  schoolIndex: number;
  teacher: PersonPlan;
  title: string;
  code: string;
  subject: string;
  gradeLevel: string;
  sections: { sectionId: string; title: string; resources: ResourcePlan[] }[];
  quizzes: QuizPlan[];
  learners: PersonPlan[];
}

export interface SchoolPlan {
  schoolId: string;
  name: string;
  code: string;
  admin: PersonPlan;
  teachers: PersonPlan[];
  learners: PersonPlan[];
  parents: { parent: PersonPlan; children: PersonPlan[] }[];
}

export interface TermPlan {
  spec: TermSpec;
  schools: SchoolPlan[];
  courses: CoursePlan[];
}

/** Right and wrong answers of a question, for an attempt. */
export function answerOf(q: QuestionPlan, right: boolean): unknown {
  if (q.kind === 'true_false') return right ? q.correct : !q.correct;
  if (q.kind === 'multiple_choice_single') return right ? q.correct : q.choices.find((c) => c.id !== q.correct)!.id;
  return right ? q.answer : q.answer + 10 * q.tolerance + 1;
}

export function planTerm(spec: TermSpec): TermPlan {
  const rng = new Prng(spec.seed);
  let serial = 0;
  const person = (role: Role, schoolIndex: number, gradeLevel: string | null): PersonPlan => {
    serial += 1;
    const givenName = rng.pick(GIVEN_NAMES);
    const familyName = rng.pick(FAMILY_NAMES);
    const username = `${role.replace('_', '')}${schoolIndex + 1}-${serial}`;
    const age = role === 'learner' ? rng.int(12, 17) : rng.int(28, 60);
    return {
      userId: rng.uuid(),
      username,
      role,
      schoolIndex,
      givenName,
      familyName,
      displayName: `${givenName} ${familyName}`,
      email: `${username}@demo.learnstream.example`,
      dateOfBirth: role === 'learner' ? `${2025 - age}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : null,
      gradeLevel,
      ability: role === 'learner' ? 0.3 + 0.65 * rng.next() : 0,
      diligence: role === 'learner' ? 0.2 + rng.next() : 0,
    };
  };

  const schools: SchoolPlan[] = [];
  const courses: CoursePlan[] = [];
  for (let s = 0; s < spec.schools; s++) {
    const name = s < SCHOOL_NAMES.length ? SCHOOL_NAMES[s] : `School ${s + 1}`;
    const school: SchoolPlan = {
      schoolId: rng.uuid(),
      name,
      code: `SCH${s + 1}`,
      admin: person('school_admin', s, null),
      teachers: Array.from({ length: spec.teachersPerSchool }, () => person('teacher', s, null)),
      learners: Array.from({ length: spec.learnersPerSchool }, () => person('learner', s, `M${rng.int(1, 6)}`)),
      parents: [],
    };
    for (let p = 0; p < spec.parentsPerSchool && p < school.learners.length; p++) {
      const children = [school.learners[(p * 7) % school.learners.length]];
      school.parents.push({ parent: person('parent', s, null), children });
    }
    schools.push(school);

    for (let c = 0; c < spec.coursesPerSchool; c++) {
      const subject = SUBJECTS[c % SUBJECTS.length];
      const gradeLevel = `M${(c % 6) + 1}`;
      const sections = Array.from({ length: 3 }, (_, k) => ({
        sectionId: rng.uuid(),
        title: `Unit ${k + 1}`,
        resources: (['video', 'page', 'file'] as const).map((kind) => ({
          resourceId: rng.uuid(),
          kind,
          title: `${subject.subject} ${kind} ${k + 1}`,
          durationSeconds: kind === 'video' ? rng.int(180, 1800) : 0,
        })),
      }));
      const quizzes = Array.from({ length: spec.quizzesPerCourse }, (_, q): QuizPlan => ({
        quizId: rng.uuid(),
        title: `${subject.subject} quiz ${q + 1}`,
        week: Math.min(spec.weeks - 1, 2 + Math.floor(((q + 1) * (spec.weeks - 3)) / (spec.quizzesPerCourse + 1))),
        maxGrade: 10,
        passGrade: 5,
        questions: Array.from({ length: spec.questionsPerQuiz }, (_, k): QuestionPlan => {
          const skills = [subject.skills[(q + k) % subject.skills.length]];
          const questionId = rng.uuid();
          if (k % 3 === 0) return { questionId, kind: 'true_false', text: `${subject.subject}: statement ${k + 1} is true`, points: 1, skills, correct: rng.chance(0.5) };
          if (k % 3 === 1) {
            return { questionId, kind: 'multiple_choice_single', text: `${subject.subject}: pick the right answer (${k + 1})`, points: 1, skills, choices: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `Choice ${id}` })), correct: rng.pick(['a', 'b', 'c', 'd']) };
          }
          return { questionId, kind: 'numeric', text: `${subject.subject}: compute value ${k + 1}`, points: 1, skills, answer: rng.int(1, 100), tolerance: 0.5 };
        }),
      }));
      courses.push({
        courseId: rng.uuid(),
        schoolIndex: s,
        teacher: school.teachers[c % school.teachers.length],
        title: `${subject.subject} ${gradeLevel}`,
        code: `${subject.code}-${s + 1}${c + 1}`,
        subject: subject.subject,
        gradeLevel,
        sections,
        quizzes,
        learners: [],
      });
    }
  }
  // Each learner takes `coursesPerLearner` of their school's courses.
  for (const [s, school] of schools.entries()) {
    const mine = courses.filter((c) => c.schoolIndex === s);
    for (const learner of school.learners) for (const course of rng.sample(mine, Math.min(spec.coursesPerLearner, mine.length))) course.learners.push(learner);
  }
  return { spec, schools, courses };
}
