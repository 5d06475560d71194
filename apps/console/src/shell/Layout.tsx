import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { LanguageSwitcher } from '../i18n/LanguageSwitcher.tsx';
import type { Language } from '../i18n/languages.ts';

export interface NavItem {
  to: string;
  label: string;
}

/** The frame of every page: skip link, header with navigation and language, the page, nothing else. */
export function Layout({
  nav,
  account,
  onLanguage,
  children,
}: {
  nav: NavItem[];
  account?: ReactNode;
  onLanguage: (language: Language) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="banner">
        <p className="product">{t('shell.product', { product: 'Bridge' })}</p>
        {nav.length > 0 && (
          <nav aria-label={t('shell.navigation')}>
            <ul>
              {nav.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="tools">
          <LanguageSwitcher onChange={onLanguage} />
          {account}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
