/**
 * The teacher's class report: GET /api/v1/reports/courses/:id (summary,
 * participants, grade distribution, questions, at-risk learners), the course
 * log GET /api/v1/courses/:id/logs (filters, pages, CSV) and its live tail
 * (server-sent events at …/logs/live).
 */
import { useEffect, useState } from 'preact/hooks';
import { get, serverSentEvents } from '../api';
import { date, dateTime, num, pct, t } from '../i18n';
import { ChartFigure, reasonText, Scroll, type Reason, DownloadButton, ErrorNote, Figures, Loaded, Section, useLoad, SelectField } from '../ui';

interface CourseSummary {
  courseId: string;
  title: string;
  code: string;
  viewer: { role: string | null; enrolled: boolean };
}
interface Participant {
  learnerId: string;
  displayName: string | null;
  status: string;
  lastAccessAt: string | null;
  events: number;
  completion: { progress: { completed: number; required: number; percentage: number | null }; courseCompleted: boolean; courseCompletedAt: string | null };
  grade: { percentage: number | null; letter: string | null; passed: boolean | null } | null;
  atRisk: { flagged: boolean; reasons: Reason[] } | null;
}
interface Question {
  quizTitle: string | null;
  position: number;
  questionId: string;
  text: string | null;
  learners: number;
  facility: number;
  discrimination: number | null;
}
export interface ClassReport {
  courseId: string;
  title: string;
  summary: { learners: number; completed: number; completionRate: number | null; graded: number; meanGrade: number | null; passing: number; atRisk: number };
  participants: Participant[];
  gradeDistribution: { from: number; to: number; count: number }[];
  questions: Question[];
}
export interface LogRow {
  eventId: string;
  occurredAt: string;
  eventType: string;
  action: string;
  object: { type: string; id: string } | null;
  actor: { userId: string; displayName: string | null } | null;
  relatedUser: { userId: string; displayName: string | null } | null;
}

export function TeacherPage() {
  const courses = useLoad(() => get<{ courses: CourseSummary[] }>('/api/v1/courses').then((r) => r.courses.filter((c) => c.viewer.role !== null)), []);
  const [courseId, setCourseId] = useState<string | null>(null);
  return (
    <>
      <h1>{t('teacher.title')}</h1>
      <Loaded state={courses}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('teacher.noCourses')}</p>
          ) : (
            <>
              <p class="controls">
                <SelectField label={t('teacher.course')} value={courseId ?? list[0].courseId} onChange={(v) => setCourseId(v)}>
                    {list.map((c) => (
                      <option key={c.courseId} value={c.courseId}>
                        {c.title} ({c.code})
                      </option>
                    ))}
                </SelectField>
              </p>
              <ClassReportView courseId={courseId ?? list[0].courseId} />
            </>
          )
        }
      </Loaded>
    </>
  );
}

function ClassReportView({ courseId }: { courseId: string }) {
  const report = useLoad(() => get<ClassReport>(`/api/v1/reports/courses/${courseId}`), [courseId]);
  const base = `/api/v1/reports/courses/${courseId}`;
  return (
    <Loaded state={report}>
      {(r) => (
        <>
          <Section id="summary" title={t('teacher.summary')}>
            <Figures
              items={[
                [t('teacher.learners'), num(r.summary.learners)],
                [t('teacher.completed'), num(r.summary.completed)],
                [t('teacher.completionRate'), pct(r.summary.completionRate)],
                [t('teacher.graded'), num(r.summary.graded)],
                [t('teacher.meanGrade'), pct(r.summary.meanGrade)],
                [t('teacher.passing'), num(r.summary.passing)],
                [t('teacher.atRisk'), num(r.summary.atRisk)],
              ]}
            />
          </Section>
          <div class="grid">
            <Section id="distribution" title={t('teacher.distribution')}>
              <ChartFigure
                id="chart-distribution"
                title={t('teacher.distribution')}
                type="bar"
                xLabel={t('teacher.distributionBin')}
                labels={r.gradeDistribution.map((b) => `${num(b.from)}–${num(b.to)}`)}
                series={[{ label: t('teacher.learners'), data: r.gradeDistribution.map((b) => b.count) }]}
              />
              <DownloadButton path={`${base}?format=csv&table=distribution`} what={t('teacher.distribution')} fallbackName="distribution.csv" />
            </Section>
            <ActivityChart courseId={courseId} />
          </div>
          <Section id="at-risk" title={t('teacher.atRiskTitle')}>
            {r.participants.some((p) => p.atRisk?.flagged) ? (
              <ul>
                {r.participants
                  .filter((p) => p.atRisk?.flagged)
                  .map((p) => (
                    <li key={p.learnerId}>
                      <strong>{p.displayName ?? p.learnerId}</strong>: {p.atRisk!.reasons.map(reasonText).join('; ')}
                    </li>
                  ))}
              </ul>
            ) : (
              <p>{t('teacher.noneAtRisk')}</p>
            )}
          </Section>
          <Section id="participants" title={t('teacher.participants')}>
            <Scroll label={t('teacher.participants')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('common.name')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('teacher.lastAccess')}</th>
                    <th scope="col">{t('teacher.events')}</th>
                    <th scope="col">{t('teacher.completion')}</th>
                    <th scope="col">{t('teacher.grade')}</th>
                    <th scope="col">{t('teacher.atRisk')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.participants.map((p) => (
                    <tr key={p.learnerId}>
                      <th scope="row">{p.displayName ?? p.learnerId}</th>
                      <td>{p.status}</td>
                      <td>{p.lastAccessAt ? dateTime(p.lastAccessAt) : t('common.never')}</td>
                      <td class="num">{num(p.events)}</td>
                      <td>{p.completion.courseCompleted ? `${t('common.yes')} (${date(p.completion.courseCompletedAt)})` : p.completion.progress.percentage === null ? t('common.no') : pct(p.completion.progress.percentage)}</td>
                      <td class="num">{p.grade?.percentage == null ? '—' : `${pct(p.grade.percentage)} ${p.grade.letter ?? ''}`}</td>
                      <td>{p.atRisk?.flagged ? t('common.yes') : t('common.no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            <DownloadButton path={`${base}?format=csv&table=participants`} what={t('teacher.participants')} fallbackName="participants.csv" />
          </Section>
          <Section id="questions" title={t('teacher.questions')}>
            {r.questions.length > 0 && (
              <ChartFigure
                id="chart-questions"
                title={t('teacher.questions')}
                type="bar"
                xLabel={t('teacher.question')}
                labels={r.questions.map((q) => `${q.quizTitle ?? t('teacher.quiz')} · ${num(q.position + 1)}`)}
                series={[
                  { label: t('teacher.facility'), data: r.questions.map((q) => q.facility), format: (n) => num(n, 3) },
                  { label: t('teacher.discrimination'), data: r.questions.map((q) => q.discrimination), format: (n) => num(n, 3) },
                ]}
              />
            )}
            <Scroll label={t('teacher.questions')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('teacher.question')}</th>
                    <th scope="col">{t('teacher.answeredBy')}</th>
                    <th scope="col">{t('teacher.facility')}</th>
                    <th scope="col">{t('teacher.discrimination')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.questions.map((q) => (
                    <tr key={q.questionId}>
                      <th scope="row">
                        {q.quizTitle} · {num(q.position + 1)}: {q.text}
                      </th>
                      <td class="num">{num(q.learners)}</td>
                      <td class="num">{num(q.facility, 3)}</td>
                      <td class="num">{num(q.discrimination, 3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            <DownloadButton path={`${base}?format=csv&table=questions`} what={t('teacher.questions')} fallbackName="questions.csv" />
          </Section>
          <CourseLog courseId={courseId} participants={r.participants} />
        </>
      )}
    </Loaded>
  );
}

/** Events per UTC day, from the course log (up to 2,000 recent rows). */
function ActivityChart({ courseId }: { courseId: string }) {
  const days = useLoad(async () => {
    const counts = new Map<string, number>();
    let cursor: string | null = null;
    for (let page = 0; page < 4; page += 1) {
      const res: { rows: LogRow[]; nextCursor: string | null } = await get(`/api/v1/courses/${courseId}/logs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const row of res.rows) counts.set(row.occurredAt.slice(0, 10), (counts.get(row.occurredAt.slice(0, 10)) ?? 0) + 1);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
  }, [courseId]);
  return (
    <Section id="activity" title={t('teacher.activity')}>
      <Loaded state={days}>
        {(list) => (
          <ChartFigure
            id="chart-activity"
            title={t('teacher.activity')}
            type={list.length > 1 ? 'line' : 'bar'}
            xLabel={t('common.date')}
            labels={list.map(([day]) => date(day))}
            series={[{ label: t('teacher.activityEvents'), data: list.map(([, n]) => n) }]}
          />
        )}
      </Loaded>
    </Section>
  );
}

interface LogFilter {
  user: string;
  action: string;
  objectType: string;
  from: string;
  to: string;
}
const EMPTY: LogFilter = { user: '', action: '', objectType: '', from: '', to: '' };
const query = (f: LogFilter) =>
  Object.entries(f)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

function CourseLog({ courseId, participants }: { courseId: string; participants: Participant[] }) {
  const [draft, setDraft] = useState<LogFilter>(EMPTY);
  const [filter, setFilter] = useState<LogFilter>(EMPTY);
  const [pages, setPages] = useState<{ rows: LogRow[]; nextCursor: string | null; error: Error | null }>({ rows: [], nextCursor: null, error: null });
  const base = `/api/v1/courses/${courseId}/logs`;
  const load = (cursor: string | null) =>
    get<{ rows: LogRow[]; nextCursor: string | null }>(`${base}?limit=25&${query(filter)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).then(
      (res) => setPages((prev) => ({ rows: cursor ? [...prev.rows, ...res.rows] : res.rows, nextCursor: res.nextCursor, error: null })),
      (error: Error) => setPages((prev) => ({ ...prev, error })),
    );
  useEffect(() => {
    void load(null);
  }, [courseId, query(filter)]);
  const field = (name: keyof LogFilter) => ({ value: draft[name], onInput: (e: Event) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value }) });
  return (
    <Section id="log" title={t('log.title')}>
      <form
        class="filters"
        aria-label={t('log.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <SelectField label={t('log.user')} value={draft.user} onChange={(v) => setDraft({ ...draft, user: v })}>
            <option value="">{t('common.all')}</option>
            {participants.map((p) => (
              <option key={p.learnerId} value={p.learnerId}>
                {p.displayName ?? p.learnerId}
              </option>
            ))}
        </SelectField>
        <label>
          {t('log.action')} <input type="text" {...field('action')} size={12} />
        </label>
        <label>
          {t('log.objectType')} <input type="text" {...field('objectType')} size={12} />
        </label>
        <label>
          {t('common.from')} <input type="date" {...field('from')} />
        </label>
        <label>
          {t('common.to')} <input type="date" {...field('to')} />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </form>
      {pages.error && <ErrorNote error={pages.error} />}
      <LiveTail courseId={courseId} filter={filter} />
      <Scroll label={t('log.title')}>
        <LogTable rows={pages.rows} caption={t('log.title')} />
      </Scroll>
      {pages.rows.length === 0 && !pages.error && <p>{t('log.empty')}</p>}
      <p class="controls">
        {pages.nextCursor && (
          <button type="button" onClick={() => void load(pages.nextCursor)}>
            {t('common.loadMore')}
          </button>
        )}
        <DownloadButton path={`${base}?format=csv&${query(filter)}`} what={t('log.title')} fallbackName="course-log.csv" />
      </p>
    </Section>
  );
}

const LogTable = ({ rows, caption }: { rows: LogRow[]; caption: string }) => (
  <table>
    <caption class="visually-hidden">{caption}</caption>
    <thead>
      <tr>
        <th scope="col">{t('log.time')}</th>
        <th scope="col">{t('log.user')}</th>
        <th scope="col">{t('log.action')}</th>
        <th scope="col">{t('log.event')}</th>
        <th scope="col">{t('log.objectType')}</th>
        <th scope="col">{t('log.related')}</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((row) => (
        <tr key={row.eventId}>
          <td>{dateTime(row.occurredAt)}</td>
          <td>{row.actor?.displayName ?? row.actor?.userId ?? '—'}</td>
          <td>{row.action}</td>
          <td>{row.eventType}</td>
          <td>{row.object?.type ?? '—'}</td>
          <td>{row.relatedUser?.displayName ?? '—'}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** The live tail: new rows of the course log as they are recorded (SSE over fetch, with the token). */
function LiveTail({ courseId, filter }: { courseId: string; filter: LogFilter }) {
  const [following, setFollowing] = useState(false);
  const [rows, setRows] = useState<LogRow[]>([]);
  const [ended, setEnded] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!following) return;
    const abort = new AbortController();
    setRows([]);
    setEnded(null);
    setError(null);
    (async () => {
      for await (const message of serverSentEvents(`/api/v1/courses/${courseId}/logs/live?last=0&${query(filter)}`, abort.signal)) {
        if (message.event === 'log') setRows((prev) => [JSON.parse(message.data) as LogRow, ...prev].slice(0, 200));
        if (message.event === 'end') setEnded((JSON.parse(message.data) as { reason: string }).reason);
      }
    })().catch((e: Error) => {
      if (!abort.signal.aborted) setError(e);
    });
    return () => abort.abort();
  }, [following, courseId, query(filter)]);
  return (
    <div class="live">
      <button type="button" aria-pressed={following} onClick={() => setFollowing(!following)}>
        {following ? t('log.stop') : t('log.follow')}
      </button>
      {error && <ErrorNote error={error} />}
      <div aria-live="polite" role="log" aria-label={t('log.live')}>
        {following && <p>{t('log.following')}</p>}
        {ended && <p>{t('log.ended', { reason: ended })}</p>}
        {rows.length > 0 && (
          <>
            <p>{t('log.newEvents', { count: num(rows.length) })}</p>
            <Scroll label={t('log.live')}>
              <LogTable rows={rows} caption={t('log.live')} />
            </Scroll>
          </>
        )}
      </div>
    </div>
  );
}
