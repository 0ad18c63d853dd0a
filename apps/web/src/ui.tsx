/** Small shared pieces: loading state, errors, figures, charts with their table, downloads. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { download } from './api';
import { getLocale, num, pct, t } from './i18n';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Loads with `load` whenever `deps` change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: Error | null; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: Error | null }>({ data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data, error: null }),
      (error: Error) => live && setState({ data: null, error }),
    );
    return () => {
      live = false;
    };
    // The caller's deps (spread) and the reload tick decide when to load again.
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export const Loading = () => (
  <p role="status" class="muted">
    {t('app.loading')}
  </p>
);

export const ErrorNote = ({ error }: { error: Error }) => (
  <p role="alert" class="error">
    {t('app.error', { message: error.message })}
  </p>
);

/** Renders `children(data)` once loaded, a status while loading, an alert on error. */
export function Loaded<T>({ state, children }: { state: { data: T | null; error: Error | null }; children: (data: T) => ComponentChildren }) {
  if (state.error) return <ErrorNote error={state.error} />;
  if (state.data === null) return <Loading />;
  return <>{children(state.data)}</>;
}

export const Figures = ({ items }: { items: [string, string][] }) => (
  <dl class="figures">
    {items.map(([label, value]) => (
      <div key={label}>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </div>
    ))}
  </dl>
);

export interface Series {
  label: string;
  /** null: no figure (a suppressed cell, a learner without a grade). */
  data: (number | null)[];
  /** How a figure reads in the table (default: num). */
  format?: (n: number | null) => string;
}

const COLOURS = ['#1d4f91', '#b3471d', '#2e6b30', '#6a3d9a', '#7a5c00'];

/**
 * A chart (canvas, described for screen readers) and its data as a table
 * (every chart has one: keyboard and screen-reader users read the table).
 */
export function ChartFigure({ id, title, type, labels, series, xLabel, yMax }: { id: string; title: string; type: 'bar' | 'line'; labels: string[]; series: Series[]; xLabel: string; yMax?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const locale = getLocale();
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type,
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length], spanGaps: false })),
      },
      options: {
        locale,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: { y: { beginAtZero: true, ...(yMax !== undefined && { max: yMax }) } },
      },
    });
    return () => chart.destroy();
  }, [type, locale, JSON.stringify(labels), JSON.stringify(series.map((s) => [s.label, s.data]))]);
  return (
    <figure class="chart" id={id}>
      <figcaption>{title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={t('chart.summary', { title })} />
      </div>
      <details class="chart-table">
        <summary>{t('chart.table', { title })}</summary>
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, row) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td class="num" key={s.label}>
                    {(s.format ?? num)(s.data[row])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** A button that downloads what the API answers at `path` (with the user's token). */
export function DownloadButton({ path, what, accept = 'text/csv', fallbackName }: { path: string; what: string; accept?: string; fallbackName: string }) {
  const [state, setState] = useState<{ error: Error | null; done: string | null }>({ error: null, done: null });
  return (
    <span class="download">
      <button
        type="button"
        onClick={() =>
          void download(path, accept, fallbackName).then(
            () => setState({ error: null, done: what }),
            (error: Error) => setState({ error, done: null }),
          )
        }
      >
        {accept === 'text/csv' ? t('common.downloadCsv', { what }) : what}
      </button>
      {state.error && <ErrorNote error={state.error} />}
    </span>
  );
}

/** A labelled select (label for/id: a wrapping label would add the options' text to its name). */
export function SelectField({ label, class: cls, value, onChange, children }: { label: string; class?: string; value: string; onChange: (value: string) => void; children: ComponentChildren }) {
  const id = useId();
  return (
    <span class={cls ? `field ${cls}` : 'field'}>
      <label for={id}>{label}</label>{' '}
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {children}
      </select>
    </span>
  );
}

/** A wide table's scrolling box: focusable so that keyboard users can scroll it. */
export const Scroll = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="scroll" tabIndex={0} role="region" aria-label={label}>
    {children}
  </div>
);

/** The from/to day inputs of a report's period (YYYY-MM-DD). */
export function DayRange({ value, onChange }: { value: { from: string; to: string }; onChange: (next: { from: string; to: string }) => void }) {
  return (
    <>
      <label>
        {t('common.from')} <input type="date" required value={value.from} onInput={(e) => onChange({ ...value, from: e.currentTarget.value })} />
      </label>
      <label>
        {t('common.to')} <input type="date" required value={value.to} onInput={(e) => onChange({ ...value, to: e.currentTarget.value })} />
      </label>
    </>
  );
}

export const Section = ({ id, title, children }: { id: string; title: string; children: ComponentChildren }) => (
  <section aria-labelledby={`${id}-title`} class="card">
    <h2 id={`${id}-title`}>{title}</h2>
    {children}
  </section>
);

/** Today's UTC date and the date `days` before it, as YYYY-MM-DD. */
export function lastDays(days: number): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** An at-risk reason of the progress reports, in the reader's language. */
export type Reason =
  | { rule: 'failing'; percentage: number; passPercentage: number }
  | { rule: 'inactive'; days: number; neverActive: boolean }
  | { rule: 'model'; feature: string; text: string };
/** The early-warning model's reasons come worded by the API (English); the two rules' in the reader's language. */
export const reasonText = (r: Reason) =>
  r.rule === 'model'
    ? r.text
    : r.rule === 'failing'
      ? t('risk.failing', { percentage: pct(r.percentage), pass: pct(r.passPercentage) })
      : t(r.neverActive ? 'risk.neverActive' : 'risk.inactive', { days: num(r.days, 1) });
