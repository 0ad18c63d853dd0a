/**
 * A learner's progress (their own, or a linked child's for a parent):
 * GET /api/v1/reports/learners/:id (courses, grades, skills, strengths and
 * points to improve) and its timeline, a page at a time.
 */
import { useState } from 'preact/hooks';
import { get } from '../api';
import { date, dateTime, num, pct, t } from '../i18n';
import { ChartFigure, reasonText, type Reason, ErrorNote, Loaded, Section, useLoad, SelectField } from '../ui';

interface TimelineEvent {
  eventId: string;
  occurredAt: string;
  eventType: string;
  action: string;
  courseId: string | null;
}
export interface LearnerProfile {
  learnerId: string;
  displayName: string | null;
  lastAccessAt: string | null;
  profiling: { objected: boolean; note: string | null };
  courses: {
    courseId: string;
    title: string;
    code: string;
    completion: { progress: { completed: number; required: number; percentage: number | null }; courseCompleted: boolean; courseCompletedAt: string | null };
    grades: {
      passPercentage: number | null;
      total: { percentage: number | null; letter: string | null; passed: boolean | null } | null;
      items: { itemId: string; name: string | null; grade: number | null; percentage: number | null }[];
    } | null;
    atRisk: { flagged: boolean; reasons: Reason[] } | null;
  }[];
  skills: { skill: string; earned: number; possible: number; questions: number; percentage: number | null }[];
  strengths: string[] | null;
  toImprove: string[] | null;
  timeline: { events: TimelineEvent[]; nextCursor: string | null };
}

export function LearnerPage({ learnerId }: { learnerId: string }) {
  const profile = useLoad(() => get<LearnerProfile>(`/api/v1/reports/learners/${learnerId}`), [learnerId]);
  return <Loaded state={profile}>{(p) => <Profile p={p} />}</Loaded>;
}

/** A parent's page: one linked child at a time. */
export function ChildrenPage({ childIds }: { childIds: string[] }) {
  const [childId, setChildId] = useState(childIds[0]);
  const names = useLoad(() => Promise.all(childIds.map((id) => get<{ displayName: string | null }>(`/api/v1/users/${id}`).then((a) => a.displayName ?? id, () => id))), [childIds.join()]);
  if (childIds.length === 0) return <p>{t('learner.noChildren')}</p>;
  return (
    <>
      {childIds.length > 1 && (
        <p class="controls">
          <SelectField label={t('learner.child')} value={childId} onChange={(v) => setChildId(v)}>
              {childIds.map((id, i) => (
                <option key={id} value={id}>
                  {names.data?.[i] ?? id}
                </option>
              ))}
          </SelectField>
        </p>
      )}
      <LearnerPage learnerId={childId} />
    </>
  );
}

function Profile({ p }: { p: LearnerProfile }) {
  const title = (courseId: string | null) => p.courses.find((c) => c.courseId === courseId)?.title ?? '';
  return (
    <>
      <h1>{t('learner.title', { name: p.displayName ?? p.learnerId })}</h1>
      <p>{t('learner.lastAccess', { when: p.lastAccessAt ? dateTime(p.lastAccessAt) : t('common.never') })}</p>
      <Section id="courses" title={t('learner.courses')}>
        <div class="grid">
          {p.courses.map((c) => (
            <article class="course" key={c.courseId} aria-labelledby={`course-${c.courseId}`}>
              <h3 id={`course-${c.courseId}`}>
                {c.title} <span class="muted">({c.code})</span>
              </h3>
              <p>
                <strong>{t('learner.progress')}:</strong>{' '}
                {c.completion.courseCompleted
                  ? t('learner.completed', { when: date(c.completion.courseCompletedAt) })
                  : c.completion.progress.required > 0
                    ? `${t('learner.progressOf', { completed: num(c.completion.progress.completed), required: num(c.completion.progress.required) })} (${pct(c.completion.progress.percentage)})`
                    : t('learner.notCompleted')}
              </p>
              <p>
                <strong>{t('learner.total')}:</strong> {c.grades?.total?.percentage == null ? '—' : `${pct(c.grades.total.percentage)} ${c.grades.total.letter ?? ''}`}
              </p>
              {c.atRisk?.flagged && <p class="warning">{t('learner.atRisk', { reasons: c.atRisk.reasons.map(reasonText).join('; ') })}</p>}
              {c.grades && c.grades.items.length > 0 && (
                <table>
                  <caption class="visually-hidden">{c.title}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('learner.item')}</th>
                      <th scope="col">{t('learner.grade')}</th>
                      <th scope="col">{t('common.percentage')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.grades.items.map((i) => (
                      <tr key={i.itemId}>
                        <th scope="row">{i.name ?? '—'}</th>
                        <td class="num">{num(i.grade)}</td>
                        <td class="num">{pct(i.percentage)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </article>
          ))}
        </div>
        <ChartFigure
          id="chart-grades"
          title={t('learner.gradesChart')}
          type="bar"
          xLabel={t('common.course')}
          yMax={100}
          labels={p.courses.map((c) => c.title)}
          series={[{ label: t('learner.total'), data: p.courses.map((c) => c.grades?.total?.percentage ?? null), format: pct }]}
        />
      </Section>
      <Section id="skills" title={t('learner.skills')}>
        {p.profiling.objected && p.profiling.note && <p class="note">{p.profiling.note}</p>}
        <ChartFigure
          id="chart-skills"
          title={t('learner.skills')}
          type="bar"
          xLabel={t('learner.skill')}
          yMax={100}
          labels={p.skills.map((s) => s.skill)}
          series={[{ label: t('common.percentage'), data: p.skills.map((s) => s.percentage), format: pct }]}
        />
        {p.strengths && (
          <div class="grid">
            <div>
              <h3>{t('learner.strengths')}</h3>
              {p.strengths.length ? (
                <ul>
                  {p.strengths.map((s) => (
                    <li key={s}>{t('learner.adviceStrength', { skill: s })}</li>
                  ))}
                </ul>
              ) : (
                <p>{t('learner.noStrengths')}</p>
              )}
            </div>
            <div>
              <h3>{t('learner.toImprove')}</h3>
              {p.toImprove?.length ? (
                <ul>
                  {p.toImprove.map((s) => (
                    <li key={s}>{t('learner.adviceImprove', { skill: s })}</li>
                  ))}
                </ul>
              ) : (
                <p>{t('learner.noToImprove')}</p>
              )}
            </div>
          </div>
        )}
      </Section>
      <Timeline learnerId={p.learnerId} first={p.timeline} title={title} />
    </>
  );
}

function Timeline({ learnerId, first, title }: { learnerId: string; first: { events: TimelineEvent[]; nextCursor: string | null }; title: (courseId: string | null) => string }) {
  const [page, setPage] = useState(first);
  const [error, setError] = useState<Error | null>(null);
  const more = () =>
    get<{ events: TimelineEvent[]; nextCursor: string | null }>(`/api/v1/reports/learners/${learnerId}/timeline?cursor=${encodeURIComponent(page.nextCursor!)}`).then(
      (next) => setPage({ events: [...page.events, ...next.events], nextCursor: next.nextCursor }),
      setError,
    );
  return (
    <Section id="timeline" title={t('learner.timeline')}>
      <ol class="timeline">
        {page.events.map((e) => (
          <li key={e.eventId}>
            <time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time> {e.action} · {e.eventType}
            {e.courseId && <span class="muted"> · {title(e.courseId)}</span>}
          </li>
        ))}
      </ol>
      {error && <ErrorNote error={error} />}
      {page.nextCursor && (
        <button type="button" onClick={() => void more()}>
          {t('common.loadMore')}
        </button>
      )}
    </Section>
  );
}
