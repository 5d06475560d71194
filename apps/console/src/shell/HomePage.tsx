import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSignedIn } from '../auth/session.tsx';
import { Page } from './Page.tsx';

/** The start page: one section per role the person holds. Later work fills each with its tasks. */
export function HomePage() {
  const { t } = useTranslation();
  const { user } = useSignedIn();
  return (
    <Page title={t('home.title')}>
      <p>{t('home.welcome', { username: user.username })}</p>
      {user.roles.map((role) => (
        <section key={role} aria-labelledby={`home-${role}`}>
          <h2 id={`home-${role}`}>{t(`roles.${role}`)}</h2>
          <p>{t(`home.roles.${role}`)}</p>
          {role === 'operator' && (
            <p>
              <Link to="/people">{t('people.title')}</Link>
            </p>
          )}
        </section>
      ))}
    </Page>
  );
}
