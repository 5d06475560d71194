import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** The tab's title names the page only: never a person, a case or anything else someone nearby should not read. */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('shell.documentTitle', { page: title, product: 'Bridge' });
  }, [t, title]);
}
