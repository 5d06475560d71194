import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../shell/Page.tsx';

/** Recovery codes are shown once: the person says they kept them before going on. */
export function RecoveryCodes({ codes, onDone }: { codes: readonly string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [kept, setKept] = useState(false);
  return (
    <Page title={t('recovery.title')}>
      <p>{t('recovery.text', { count: codes.length })}</p>
      <ul className="codes" aria-label={t('recovery.listLabel')}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="field">
        <label>
          <input type="checkbox" checked={kept} onChange={(event) => setKept(event.target.checked)} /> {t('recovery.kept')}
        </label>
      </div>
      <button type="button" onClick={onDone} disabled={!kept}>
        {t('recovery.continue')}
      </button>
    </Page>
  );
}
