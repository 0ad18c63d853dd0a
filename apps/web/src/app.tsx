/**
 * The shell: sign-in, then the dashboards this account may see (from
 * GET /api/v1/me: platform roles, school memberships, linked children),
 * one per hash route, a language switch and sign-out.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, get, onSessionChange, signIn, signOut, type Session } from './api';
import { AdminPage } from './pages/admin';
import { ChildrenPage, LearnerPage } from './pages/learner';
import { PrivacyPage } from './pages/privacy';
import { SchoolPage } from './pages/school';
import { TeacherPage } from './pages/teacher';
import { getLocale, LOCALES, setLocale, t, type Key, type Locale } from './i18n';
import { ErrorNote, Loaded, useLoad, SelectField } from './ui';

interface Me {
  account: { userId: string; displayName: string; platformRoles: string[] };
  memberships: { schoolId: string; role: string }[];
  children: string[];
}

type View = 'teacher' | 'school' | 'admin' | 'learner' | 'children' | 'privacy';

function viewsOf(me: Me): View[] {
  const roles = new Set(me.memberships.map((m) => m.role));
  const views: View[] = [];
  if (me.account.platformRoles.includes('platform_admin')) views.push('admin');
  if (roles.has('school_admin')) views.push('school');
  if (roles.has('teacher') || roles.has('school_admin')) views.push('teacher');
  if (roles.has('learner')) views.push('learner');
  if (me.children.length > 0) views.push('children');
  if (views.length > 0 || me.memberships.length === 0) views.push('privacy');
  return views;
}

const hashView = () => location.hash.replace(/^#\/?/, '') as View | '';

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [locale, setLocaleState] = useState<Locale>(getLocale());
  useEffect(() => onSessionChange(setSession), []);
  const changeLocale = (next: Locale) => {
    setLocale(next);
    setLocaleState(next);
  };
  return (
    <div key={locale}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      {session ? <SignedIn session={session} languageSwitch={<LanguageSwitch value={locale} onChange={changeLocale} />} /> : <SignIn languageSwitch={<LanguageSwitch value={locale} onChange={changeLocale} />} />}
    </div>
  );
}

function LanguageSwitch({ value, onChange }: { value: Locale; onChange: (l: Locale) => void }) {
  return (
    <SelectField label={t('app.language')} class="language" value={value} onChange={(v) => onChange(v as Locale)}>
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
    </SelectField>
  );
}

function SignIn({ languageSwitch }: { languageSwitch: ComponentChildren }) {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <header class="top">
        <span class="brand">{t('app.name')}</span>
        {languageSwitch}
      </header>
      <main id="main" class="narrow">
        <h1>{t('signIn.title')}</h1>
        <form
          class="sign-in"
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            setBusy(true);
            signIn(String(form.get('username')), String(form.get('password'))).catch((err: Error) => (setError(err), setBusy(false)));
          }}
        >
          <label>
            {t('signIn.username')}
            <input name="username" autoComplete="username" required />
          </label>
          <label>
            {t('signIn.password')}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button type="submit" disabled={busy}>
            {t('signIn.submit')}
          </button>
          {error && (
            <p role="alert" class="error">
              {t('signIn.failed', { message: error.message })}
            </p>
          )}
        </form>
        <p class="muted">{t('app.api')}</p>
      </main>
    </>
  );
}

function SignedIn({ session, languageSwitch }: { session: Session; languageSwitch: ComponentChildren }) {
  const me = useLoad(() => get<Me>('/api/v1/me'), [session.userId]);
  const [view, setView] = useState(hashView());
  useEffect(() => {
    // A new page: keyboard and screen-reader users continue from its content, not the link.
    const onHash = () => {
      setView(hashView());
      requestAnimationFrame(() => document.getElementById('main')?.focus());
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return (
    <Loaded state={me}>
      {(m) => {
        const views = viewsOf(m);
        const current: View | undefined = views.includes(view as View) ? (view as View) : views[0];
        return (
          <>
            <header class="top">
              <span class="brand">{t('app.name')}</span>
              <nav aria-label={t('app.nav')}>
                <ul>
                  {views.map((v) => (
                    <li key={v}>
                      <a href={`#/${v}`} aria-current={v === current ? 'page' : undefined}>
                        {t(`nav.${v}` as Key)}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              {languageSwitch}
              <span class="who">{t('app.signedInAs', { name: m.account.displayName })}</span>
              <button type="button" onClick={() => void signOut()}>
                {t('app.signOut')}
              </button>
            </header>
            <main id="main" tabIndex={-1}>
              {current ? <Page view={current} me={m} /> : <p>{t('app.noRole')}</p>}
            </main>
          </>
        );
      }}
    </Loaded>
  );
}

function Page({ view, me }: { view: View; me: Me }) {
  switch (view) {
    case 'teacher':
      return <TeacherPage />;
    case 'school':
      return <SchoolPage schoolIds={me.memberships.filter((m) => m.role === 'school_admin').map((m) => m.schoolId)} />;
    case 'admin':
      return <AdminPage />;
    case 'learner':
      return <LearnerPage learnerId={me.account.userId} />;
    case 'children':
      return <ChildrenPage childIds={me.children} />;
    case 'privacy':
      return <PrivacyPage userId={me.account.userId} />;
    default:
      return <ErrorNote error={new Error(`unknown view ${String(view satisfies never)}`)} />;
  }
}
