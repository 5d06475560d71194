import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { api, ok } from '../api/client.ts';
import { EnrolPage } from '../auth/EnrolPage.tsx';
import { OidcCallbackPage } from '../auth/OidcCallbackPage.tsx';
import { IdleWarning } from '../auth/IdleWarning.tsx';
import { SessionsPage } from '../auth/SessionsPage.tsx';
import { SignInPage } from '../auth/SignInPage.tsx';
import { useSession } from '../auth/session.tsx';
import { StepUpProvider } from '../auth/step-up.tsx';
import { rememberOnDevice } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';
import { PeoplePage } from '../people/PeoplePage.tsx';
import { HomePage } from './HomePage.tsx';
import { Layout, type NavItem } from './Layout.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

export function App() {
  const { t, i18n } = useTranslation();
  const { state, signedIn, signOut } = useSession();
  const location = useLocation();
  const info = state.status === 'signed-in' ? state.info : undefined;

  // A signed-in person's own language wins over this device's.
  const userLocale = info?.user.locale;
  useEffect(() => {
    if (userLocale && userLocale !== i18n.language) void i18n.changeLanguage(userLocale);
  }, [userLocale, i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  const changeLanguage = useCallback(
    async (language: Language) => {
      rememberOnDevice(language);
      await i18n.changeLanguage(language);
      if (state.status !== 'signed-in') return;
      try {
        const result = await api.PUT('/v1/auth/preferences', { body: { locale: language } });
        signedIn(ok(result), result.response);
      } catch {
        // Not kept for next time (an ended session is handled where every 401 is); this page still changed.
      }
    },
    [i18n, state.status, signedIn],
  );

  if (state.status === 'loading') return null;

  const nav: NavItem[] = info
    ? [
        { to: '/', label: t('home.title') },
        ...(info.user.roles.includes('operator') ? [{ to: '/people', label: t('people.title') }] : []),
        { to: '/sessions', label: t('sessions.title') },
      ]
    : [];
  const account = info && (
    <div className="account">
      <span>{t('shell.signedInAs', { username: info.user.username })}</span>{' '}
      <button type="button" className="secondary" onClick={() => void signOut('signed-out')}>
        {t('shell.signOut')}
      </button>
    </div>
  );
  const signInFirst = <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;

  return (
    <StepUpProvider>
      <Layout nav={nav} account={account} onLanguage={(language) => void changeLanguage(language)}>
        <Routes>
          <Route path="/" element={info ? <HomePage /> : signInFirst} />
          <Route path="/sign-in" element={info ? <Navigate to="/" replace /> : <SignInPage />} />
          <Route path="/enrol" element={<EnrolPage />} />
          <Route path="/oidc" element={info ? <Navigate to="/" replace /> : <OidcCallbackPage />} />
          <Route path="/sessions" element={info ? <SessionsPage /> : signInFirst} />
          <Route path="/people" element={info ? info.user.roles.includes('operator') ? <PeoplePage /> : <NotFoundPage /> : signInFirst} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Layout>
      {info && <IdleWarning />}
    </StepUpProvider>
  );
}
