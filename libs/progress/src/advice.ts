/**
 * Advice a learner can act on, and what would help a class most: pure
 * functions over what the reports already read, with their rules in words.
 *
 * For a learner, per course and skill: the skill is WEAK when under
 * ADVICE_RULE.below % of its points were earned on the questions tagged with
 * it in the learner's latest attempt of each quiz (one question is enough to
 * say so: the evidence says how many there were). For each weak skill: the
 * questions that tested it and were missed, the quizzes to retry (when
 * attempts are left), and the resources that teach it: those in the sections
 * where the quizzes testing it sit, and those whose title names it.
 */

export const ADVICE_RULE = { below: 60 } as const;
export const ADVICE_RULE_TEXT =
  `Advice: a skill is weak in a course when under ${ADVICE_RULE.below}% of its points were earned on the questions tagged with it in the ` +
  "learner's latest attempt of each quiz (the evidence gives how many questions that was). For each: the questions missed, the quizzes to retry " +
  'while attempts are left, and the resources that teach it (in the sections of those quizzes, or named after the skill).';

export interface QuestionOutcome {
  courseId: string;
  quizId: string;
  questionId: string;
  score: number;
  points: number;
  skills: string[];
}

export interface QuizFacts {
  quizId: string;
  courseId: string;
  title: string;
  attemptsAllowed: number;
  attemptsUsed: number;
  sectionId: string | null;
  questions: { questionId: string; text: string }[];
}

export interface ResourceFacts {
  resourceId: string;
  courseId: string;
  sectionId: string;
  kind: string;
  title: string;
}

export interface SkillAdvice {
  courseId: string;
  skill: string;
  evidence: { earned: number; possible: number; questions: number; percentage: number; text: string };
  missedQuestions: { quizId: string; quizTitle: string; questionId: string; text: string | null; score: number; points: number }[];
  resources: { resourceId: string; kind: string; title: string }[];
  next: string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

export function learnerAdvice(outcomes: readonly QuestionOutcome[], quizzes: readonly QuizFacts[], resources: readonly ResourceFacts[]): SkillAdvice[] {
  const quizById = new Map(quizzes.map((q) => [q.quizId, q]));
  const bySkill = new Map<string, QuestionOutcome[]>();
  for (const o of outcomes) for (const skill of o.skills) bySkill.set(`${o.courseId}|${skill}`, [...(bySkill.get(`${o.courseId}|${skill}`) ?? []), o]);
  const advice: SkillAdvice[] = [];
  for (const [key, tested] of bySkill) {
    const [courseId, skill] = key.split('|');
    const earned = round5(tested.reduce((s, o) => s + o.score, 0));
    const possible = round5(tested.reduce((s, o) => s + o.points, 0));
    if (!(possible > 0) || (earned / possible) * 100 >= ADVICE_RULE.below) continue;
    const percentage = round2((earned / possible) * 100);
    const quizIds = [...new Set(tested.map((o) => o.quizId))];
    const testing = quizIds.map((id) => quizById.get(id)).filter((q): q is QuizFacts => q !== undefined);
    const missed = tested
      .filter((o) => o.score < o.points)
      .map((o) => {
        const quiz = quizById.get(o.quizId);
        return { quizId: o.quizId, quizTitle: quiz?.title ?? '', questionId: o.questionId, text: quiz?.questions.find((q) => q.questionId === o.questionId)?.text ?? null, score: o.score, points: o.points };
      });
    const sections = new Set(testing.map((q) => q.sectionId).filter((s): s is string => s !== null));
    const named = skill.toLowerCase();
    const teaching = resources.filter((r) => r.courseId === courseId && (sections.has(r.sectionId) || r.title.toLowerCase().includes(named))).slice(0, 5);
    const next: string[] = [];
    for (const q of testing) {
      const left = q.attemptsAllowed === 0 ? null : q.attemptsAllowed - q.attemptsUsed;
      if (left === null || left > 0) next.push(`retry the quiz "${q.title}"${left === null ? '' : ` (${left} attempt${left === 1 ? '' : 's'} left)`}, looking again at ${missed.filter((m) => m.quizId === q.quizId).length} question(s) on ${skill}`);
    }
    for (const r of teaching) next.push(`revisit "${r.title}" (${r.kind})`);
    if (!next.length) next.push(`ask your teacher for more practice on ${skill}: no attempts are left and no resource of the course names it`);
    advice.push({
      courseId,
      skill,
      evidence: {
        earned,
        possible,
        questions: tested.length,
        percentage,
        text: `${earned} of ${possible} points (${percentage} %) on ${tested.length} question${tested.length === 1 ? '' : 's'} tagged "${skill}" in your latest attempt${quizIds.length === 1 ? '' : 's'} of ${testing.map((q) => `"${q.title}"`).join(', ')}`,
      },
      missedQuestions: missed,
      resources: teaching.map(({ resourceId, kind, title }) => ({ resourceId, kind, title })),
      next,
    });
  }
  return advice.sort((a, b) => a.evidence.percentage - b.evidence.percentage || a.skill.localeCompare(b.skill));
}

/** What would help a class most: up to three suggestions, the largest first, each with its figures. */
export interface ClassSuggestion {
  kind: 'reteach_skill' | 'review_question' | 'reach_learners' | 'chase_assessment';
  text: string;
  /** How many learners it concerns (the ordering). */
  learners: number;
}

export interface ClassFacts {
  /** Per question over first attempts (the class report's statistics). */
  questions: { quizTitle: string | null; text: string | null; skills: string[]; learners: number; facility: number; discrimination: number | null }[];
  /** Learners flagged at risk, with their names (or ids). */
  atRisk: string[];
  /** Per assessment due by then: how many active learners have not handed it in. */
  missing: { title: string; missing: number; learners: number }[];
}

export const CLASS_SUGGESTIONS_TEXT =
  'The three things that would help the class most, each concerning the most learners: reteach the skill whose questions the class got ' +
  'right least often (facility under 0.5 over first attempts), review a question that misleads (discrimination below 0), contact the learners ' +
  'flagged at risk, chase an assessment many have not handed in.';

export function classSuggestions(facts: ClassFacts): ClassSuggestion[] {
  const suggestions: ClassSuggestion[] = [];
  const bySkill = new Map<string, { right: number; answered: number; questions: number }>();
  for (const q of facts.questions) {
    for (const skill of q.skills) {
      const s = bySkill.get(skill) ?? { right: 0, answered: 0, questions: 0 };
      s.right += q.facility * q.learners;
      s.answered += q.learners;
      s.questions += 1;
      bySkill.set(skill, s);
    }
  }
  const weakest = [...bySkill].map(([skill, s]) => ({ skill, facility: s.right / s.answered, ...s })).filter((s) => s.answered > 0 && s.facility < 0.5).sort((a, b) => a.facility - b.facility)[0];
  if (weakest) {
    const wrong = Math.round(weakest.answered - weakest.right);
    suggestions.push({
      kind: 'reteach_skill',
      learners: Math.round(weakest.answered / weakest.questions),
      text: `reteach "${weakest.skill}": the class earned ${Math.round(weakest.facility * 100)} % of its points on its ${weakest.questions} question(s) (${wrong} answers missed in first attempts)`,
    });
  }
  const misleading = facts.questions.filter((q) => q.discrimination !== null && q.discrimination < 0).sort((a, b) => a.discrimination! - b.discrimination!)[0];
  if (misleading) {
    suggestions.push({
      kind: 'review_question',
      learners: misleading.learners,
      text: `review the question "${misleading.text ?? '?'}" of "${misleading.quizTitle ?? '?'}": stronger learners got it wrong more often than weaker ones (discrimination ${misleading.discrimination!.toFixed(2)})`,
    });
  }
  if (facts.atRisk.length) {
    suggestions.push({
      kind: 'reach_learners',
      learners: facts.atRisk.length,
      text: `contact the ${facts.atRisk.length} learner${facts.atRisk.length === 1 ? '' : 's'} flagged at risk: ${facts.atRisk.slice(0, 5).join(', ')}${facts.atRisk.length > 5 ? ', …' : ''}`,
    });
  }
  const chase = [...facts.missing].filter((m) => m.missing > 0).sort((a, b) => b.missing - a.missing)[0];
  if (chase) suggestions.push({ kind: 'chase_assessment', learners: chase.missing, text: `chase "${chase.title}": ${chase.missing} of ${chase.learners} learners have not handed it in` });
  return suggestions.sort((a, b) => b.learners - a.learners).slice(0, 3);
}
