/**
 * The learner's privacy page: consents (PUT/DELETE /privacy/subjects/:id/consents/:purpose),
 * a copy of their data (GET /privacy/export), their requests (GET/POST /privacy/requests)
 * and who accessed their data (GET /privacy/access-log).
 */
import { useState } from 'preact/hooks';
import { get, send } from '../api';
import { date, dateTime, t, type Key } from '../i18n';
import { DownloadButton, ErrorNote, Loaded, Section, useLoad, SelectField } from '../ui';

interface Status {
  consents: Record<string, { holds: boolean; at: string | null }>;
}
interface Request {
  requestId: string;
  type: string;
  status: string;
  filedAt: string;
  dueAt: string;
  outcome: string | null;
}
interface Access {
  readerId: string;
  readerName: string | null;
  what: string;
  purpose: string;
  occurredAt: string;
}
const TYPES = ['export', 'rectification', 'erasure', 'restriction', 'objection'];

export function PrivacyPage({ userId }: { userId: string }) {
  const status = useLoad(() => get<Status>(`/api/v1/privacy/subjects/${userId}`), [userId]);
  const requests = useLoad(() => get<{ requests: Request[] }>('/api/v1/privacy/requests'), [userId]);
  const access = useLoad(() => get<{ accesses: Access[] }>('/api/v1/privacy/access-log'), [userId]);
  const [error, setError] = useState<Error | null>(null);
  const [type, setType] = useState('export');
  const [note, setNote] = useState('');
  const act = (p: Promise<unknown>, then: () => void) => p.then(() => (setError(null), then()), setError);
  return (
    <>
      <h1>{t('privacy.title')}</h1>
      {error && <ErrorNote error={error} />}
      <Section id="consents" title={t('privacy.consents')}>
        <Loaded state={status}>
          {(s) => (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('privacy.purpose')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('privacy.consents')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(s.consents).map(([purpose, c]) => {
                  const name = t(`privacy.purpose.${purpose}` as Key);
                  return (
                    <tr key={purpose}>
                      <th scope="row">{name}</th>
                      <td>
                        {c.holds ? t('privacy.given') : t('privacy.notGiven')}
                        {c.at && ` (${dateTime(c.at)})`}
                      </td>
                      <td>
                        <button type="button" onClick={() => void act(send(c.holds ? 'DELETE' : 'PUT', `/api/v1/privacy/subjects/${userId}/consents/${purpose}`), status.reload)}>
                          {c.holds ? t('privacy.withdraw', { purpose: name }) : t('privacy.give', { purpose: name })}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Loaded>
      </Section>
      <Section id="export" title={t('privacy.export')}>
        <p>{t('privacy.exportHelp')}</p>
        <DownloadButton path="/api/v1/privacy/export" accept="application/json" what={t('privacy.download')} fallbackName="my-data.json" />
      </Section>
      <Section id="requests" title={t('privacy.requests')}>
        <Loaded state={requests}>
          {({ requests: list }) =>
            list.length === 0 ? (
              <p>{t('privacy.noRequests')}</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('privacy.type')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('privacy.filed')}</th>
                    <th scope="col">{t('privacy.due')}</th>
                    <th scope="col">{t('privacy.outcome')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.requestId}>
                      <th scope="row">{t(`privacy.type.${r.type}` as Key)}</th>
                      <td>{r.status}</td>
                      <td>{dateTime(r.filedAt)}</td>
                      <td>{date(r.dueAt)}</td>
                      <td>{r.outcome ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
        <form
          class="filters"
          aria-label={t('privacy.file')}
          onSubmit={(e) => {
            e.preventDefault();
            void act(send('POST', '/api/v1/privacy/requests', { type, ...(note && { note }) }), () => (setNote(''), requests.reload()));
          }}
        >
          <SelectField label={t('privacy.type')} value={type} onChange={(v) => setType(v)}>
              {TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {t(`privacy.type.${ty}` as Key)}
                </option>
              ))}
          </SelectField>
          <label>
            {t('privacy.note')} <input type="text" value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit">{t('privacy.file')}</button>
        </form>
      </Section>
      <Section id="access-log" title={t('privacy.accessLog')}>
        <Loaded state={access}>
          {({ accesses }) =>
            accesses.length === 0 ? (
              <p>{t('privacy.noAccess')}</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('privacy.reader')}</th>
                    <th scope="col">{t('privacy.what')}</th>
                    <th scope="col">{t('privacy.why')}</th>
                    <th scope="col">{t('privacy.when')}</th>
                  </tr>
                </thead>
                <tbody>
                  {accesses.map((a, i) => (
                    <tr key={i}>
                      <th scope="row">{a.readerName ?? a.readerId}</th>
                      <td>{a.what}</td>
                      <td>{a.purpose}</td>
                      <td>{dateTime(a.occurredAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </Section>
    </>
  );
}
