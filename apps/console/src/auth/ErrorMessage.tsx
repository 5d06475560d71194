import { useTranslation } from 'react-i18next';
import { errorKey } from './errors.ts';

/** An error, announced to screen readers as soon as it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error === undefined || error === null) return null;
  return (
    <p className="error" role="alert">
      {t(errorKey(error))}
    </p>
  );
}
