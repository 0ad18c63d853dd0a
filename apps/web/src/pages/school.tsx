/** The school admin's school report over a chosen period: GET /api/v1/reports/schools/:id?from&to. */
import { useState } from 'preact/hooks';
import { get } from '../api';
import { date, num, pct, t } from '../i18n';
import { ChartFigure, DayRange, Scroll, DownloadButton, Figures, Loaded, Section, lastDays, useLoad, SelectField } from '../ui';

interface GroupFigures {
  courses: number;
  enrolments: number;
  activeLearners: number;
  completed: number;
  completionRate: number | null;
  graded: number;
  gradeAverage: number | null;
}
export interface SchoolReport {
  schoolId: string;
  name: string;
  from: string;
  to: string;
  overall: GroupFigures;
  courses: (GroupFigures & { courseId: string; code: string; title: string })[];
  bySubject: (GroupFigures & { subject: string })[];
  byGradeLevel: (GroupFigures & { gradeLevel: string | null })[];
  teachers: { teacherId: string; displayName: string | null; events: number; activeDays: number }[];
}

export function SchoolPage({ schoolIds }: { schoolIds: string[] }) {
  const [schoolId, setSchoolId] = useState(schoolIds[0]);
  const [draft, setDraft] = useState(lastDays(30));
  const [period, setPeriod] = useState(draft);
  const report = useLoad(() => get<SchoolReport>(`/api/v1/reports/schools/${schoolId}?from=${period.from}&to=${period.to}`), [schoolId, period.from, period.to]);
  const csv = (table: string) => `/api/v1/reports/schools/${schoolId}?format=csv&table=${table}&from=${period.from}&to=${period.to}`;
  if (!schoolId) return <p>{t('school.noSchool')}</p>;
  return (
    <>
      <h1>{t('school.title')}</h1>
      <form
        class="filters"
        aria-label={t('school.period')}
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod(draft);
        }}
      >
        {schoolIds.length > 1 && (
          <SelectField label={t('school.school')} value={schoolId} onChange={(v) => setSchoolId(v)}>
              {schoolIds.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
          </SelectField>
        )}
        <DayRange value={draft} onChange={setDraft} />
        <button type="submit">{t('common.apply')}</button>
      </form>
      <Loaded state={report}>
        {(r) => (
          <>
            <Section id="overall" title={`${r.name} · ${t('school.overall', { from: date(r.from), to: date(r.to) })}`}>
              <Figures
                items={[
                  [t('school.coursesCount'), num(r.overall.courses)],
                  [t('school.enrolments'), num(r.overall.enrolments)],
                  [t('school.activeLearners'), num(r.overall.activeLearners)],
                  [t('school.completed'), num(r.overall.completed)],
                  [t('school.completionRate'), pct(r.overall.completionRate)],
                  [t('school.gradeAverage'), pct(r.overall.gradeAverage)],
                ]}
              />
            </Section>
            <Section id="courses" title={t('school.courses')}>
              <ChartFigure
                id="chart-courses"
                title={t('school.courses')}
                type="bar"
                xLabel={t('common.course')}
                yMax={100}
                labels={r.courses.map((c) => c.title)}
                series={[
                  { label: t('school.completionRate'), data: r.courses.map((c) => c.completionRate), format: pct },
                  { label: t('school.gradeAverage'), data: r.courses.map((c) => c.gradeAverage), format: pct },
                ]}
              />
              <Groups rows={r.courses.map((c) => ({ key: c.courseId, label: `${c.title} (${c.code})`, figures: c }))} first={t('common.course')} />
              <DownloadButton path={csv('courses')} what={t('school.courses')} fallbackName="school-courses.csv" />
            </Section>
            <Section id="teachers" title={t('school.teachers')}>
              <ChartFigure
                id="chart-teachers"
                title={t('school.teachers')}
                type="bar"
                xLabel={t('school.teacher')}
                labels={r.teachers.map((x) => x.displayName ?? x.teacherId)}
                series={[
                  { label: t('school.events'), data: r.teachers.map((x) => x.events) },
                  { label: t('school.activeDays'), data: r.teachers.map((x) => x.activeDays) },
                ]}
              />
              <DownloadButton path={csv('teachers')} what={t('school.teachers')} fallbackName="school-teachers.csv" />
            </Section>
            <div class="grid">
              <Section id="subjects" title={t('school.subjects')}>
                <Groups rows={r.bySubject.map((g) => ({ key: g.subject, label: g.subject, figures: g }))} first={t('school.subject')} />
              </Section>
              <Section id="grade-levels" title={t('school.gradeLevels')}>
                <Groups rows={r.byGradeLevel.map((g) => ({ key: g.gradeLevel ?? '-', label: g.gradeLevel ?? '—', figures: g }))} first={t('school.gradeLevel')} />
              </Section>
            </div>
          </>
        )}
      </Loaded>
    </>
  );
}

const Groups = ({ rows, first }: { rows: { key: string; label: string; figures: GroupFigures }[]; first: string }) => (
  <Scroll label={first}>
    <table>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">{t('school.enrolments')}</th>
          <th scope="col">{t('school.activeLearners')}</th>
          <th scope="col">{t('school.completed')}</th>
          <th scope="col">{t('school.completionRate')}</th>
          <th scope="col">{t('school.gradeAverage')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ key, label, figures: f }) => (
          <tr key={key}>
            <th scope="row">{label}</th>
            <td class="num">{num(f.enrolments)}</td>
            <td class="num">{num(f.activeLearners)}</td>
            <td class="num">{num(f.completed)}</td>
            <td class="num">{pct(f.completionRate)}</td>
            <td class="num">{pct(f.gradeAverage)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);
