/**
 * The platform admin's page: usage statistics (GET /api/v1/reports/usage,
 * k-anonymous: a suppressed cell reads "suppressed") and the projections'
 * lag and dead letters (GET /api/v1/admin/projections, …/dead-letters).
 */
import { useState } from 'preact/hooks';
import { get, send } from '../api';
import { date, dateTime, num, t, type Key } from '../i18n';
import { ChartFigure, DayRange, Scroll, DownloadButton, ErrorNote, Loaded, Section, lastDays, useLoad, SelectField } from '../ui';

type Cell = { people: number | null; events?: number | null; suppressed: boolean };
export interface UsageReport {
  from: string;
  to: string;
  granularity: string;
  by: string;
  minCellSize: number;
  dimension: { key: string; label: string }[];
  periods: {
    period: string;
    start: string;
    registrations: { total: Cell; cells: (Cell & { key: string })[] };
    activeUsers: { total: Cell; cells: (Cell & { key: string })[] };
    contentAccess: { courseViews: { people: number | null; views: number | null; suppressed: boolean } };
    completion: { people: number | null; completions: number | null; suppressed: boolean };
  }[];
}
interface Projection {
  name: string;
  state: string;
  lag: number | null;
  lagCapped: boolean;
  eventsHandled: number;
  deadLetters: number;
  lastError: string | null;
  updatedAt: string | null;
}
interface DeadLetter {
  id: number;
  projection: string;
  eventId: string;
  eventType?: string;
  error: string;
}

const cell = (c: { people: number | null; suppressed: boolean }) => (c.suppressed ? t('common.suppressed') : num(c.people));

export function AdminPage() {
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <Usage />
      <Projections />
    </>
  );
}

function Usage() {
  const [draft, setDraft] = useState({ ...lastDays(30), by: 'role', granularity: 'day' });
  const [q, setQ] = useState(draft);
  const params = `from=${q.from}&to=${q.to}&by=${q.by}&granularity=${q.granularity}`;
  const usage = useLoad(() => get<UsageReport>(`/api/v1/reports/usage?${params}`), [params]);
  const select = (name: 'by' | 'granularity', options: string[]) => (
    <SelectField label={t(name === 'by' ? 'admin.by' : 'admin.granularity')} value={draft[name]} onChange={(v) => setDraft({ ...draft, [name]: v })}>
        {options.map((o) => (
          <option key={o} value={o}>
            {t(`admin.${name}.${o}` as Key)}
          </option>
        ))}
    </SelectField>
  );
  return (
    <Section id="usage" title={t('admin.usage')}>
      <form
        class="filters"
        aria-label={t('admin.usage')}
        onSubmit={(e) => {
          e.preventDefault();
          setQ(draft);
        }}
      >
        {select('by', ['role', 'school', 'country'])}
        {select('granularity', ['day', 'week', 'month'])}
        <DayRange value={draft} onChange={(range) => setDraft({ ...draft, ...range })} />
        <button type="submit">{t('common.apply')}</button>
      </form>
      <Loaded state={usage}>
        {(u) => (
          <>
            <p class="note">{t('admin.kNote', { k: num(u.minCellSize) })}</p>
            <ChartFigure
              id="chart-usage"
              title={t('admin.usage')}
              type="line"
              xLabel={t('admin.period')}
              labels={u.periods.map((p) => date(p.start))}
              series={[
                { label: t('admin.activeUsers'), data: u.periods.map((p) => (p.activeUsers.total.suppressed ? null : p.activeUsers.total.people)), format: (n) => (n === null ? t('common.suppressed') : num(n)) },
                { label: t('admin.registrations'), data: u.periods.map((p) => (p.registrations.total.suppressed ? null : p.registrations.total.people)), format: (n) => (n === null ? t('common.suppressed') : num(n)) },
              ]}
            />
            <h3>{t('admin.activeBy', { dimension: t(`admin.by.${u.by}` as Key) })}</h3>
            <Scroll label={t('admin.activeBy', { dimension: t(`admin.by.${u.by}` as Key) })}>
              <table id="usage-table">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.period')}</th>
                    {u.dimension.map((d) => (
                      <th scope="col" key={d.key}>
                        {d.label}
                      </th>
                    ))}
                    <th scope="col">{t('admin.total')}</th>
                    <th scope="col">{t('admin.registrations')}</th>
                    <th scope="col">{t('admin.courseViews')}</th>
                    <th scope="col">{t('admin.completions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {u.periods.map((p) => (
                    <tr key={p.period}>
                      <th scope="row">{date(p.start)}</th>
                      {u.dimension.map((d) => {
                        const c = p.activeUsers.cells.find((x) => x.key === d.key);
                        return (
                          <td class={c?.suppressed ? 'num suppressed' : 'num'} key={d.key}>
                            {c ? cell(c) : num(0)}
                          </td>
                        );
                      })}
                      <td class="num">{cell(p.activeUsers.total)}</td>
                      <td class="num">{cell(p.registrations.total)}</td>
                      <td class="num">{p.contentAccess.courseViews.suppressed ? t('common.suppressed') : num(p.contentAccess.courseViews.views)}</td>
                      <td class="num">{p.completion.suppressed ? t('common.suppressed') : num(p.completion.completions)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            <DownloadButton path={`/api/v1/reports/usage?${params}&format=csv`} what={t('admin.usage')} fallbackName="usage.csv" />
          </>
        )}
      </Loaded>
    </Section>
  );
}

function Projections() {
  const status = useLoad(() => Promise.all([get<{ projections: Projection[] }>('/api/v1/admin/projections'), get<{ deadLetters: DeadLetter[] }>('/api/v1/admin/projections/dead-letters')]), []);
  const [retryError, setRetryError] = useState<Error | null>(null);
  return (
    <Section id="projections" title={t('admin.projections')}>
      <Loaded state={status}>
        {([{ projections }, { deadLetters }]) => (
          <>
            <ChartFigure
              id="chart-lag"
              title={t('admin.lagChart')}
              type="bar"
              xLabel={t('admin.projection')}
              labels={projections.map((p) => p.name)}
              series={[{ label: t('admin.lag'), data: projections.map((p) => p.lag) }]}
            />
            <Scroll label={t('admin.projections')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.projection')}</th>
                    <th scope="col">{t('admin.state')}</th>
                    <th scope="col">{t('admin.lag')}</th>
                    <th scope="col">{t('admin.handled')}</th>
                    <th scope="col">{t('admin.deadLetters')}</th>
                    <th scope="col">{t('admin.lastError')}</th>
                    <th scope="col">{t('admin.updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {projections.map((p) => (
                    <tr key={p.name}>
                      <th scope="row">{p.name}</th>
                      <td>{p.state}</td>
                      <td class="num">
                        {num(p.lag)}
                        {p.lagCapped ? '+' : ''}
                      </td>
                      <td class="num">{num(p.eventsHandled)}</td>
                      <td class="num">{num(p.deadLetters)}</td>
                      <td>{p.lastError ?? '—'}</td>
                      <td>{dateTime(p.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            <h3>{t('admin.deadLetters')}</h3>
            {retryError && <ErrorNote error={retryError} />}
            {deadLetters.length === 0 ? (
              <p>{t('admin.noDeadLetters')}</p>
            ) : (
              <ul>
                {deadLetters.map((d) => (
                  <li key={d.id}>
                    {d.projection} · {d.eventType ?? d.eventId}: {d.error}{' '}
                    <button type="button" onClick={() => void send('POST', `/api/v1/admin/projections/dead-letters/${d.id}/retry`).then(status.reload, setRetryError)}>
                      {t('admin.retry')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </Section>
  );
}
