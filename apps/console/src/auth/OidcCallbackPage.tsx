import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, ok } from '../api/client.ts';
import { Page } from '../shell/Page.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Field } from './Field.tsx';
import { useSession } from './session.tsx';

/**
 * Where the organisation's identity provider sends the browser back (`/console/oidc?code=…&state=…`).
 * Posts the answer to the node once; when the provider showed no second factor, asks for a local code.
 */
export function OidcCallbackPage() {
  const { t } = useTranslation();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [phase, setPhase] = useState<'completing' | 'code' | 'failed'>('completing');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    const query = new URLSearchParams(window.location.search);
    const code = query.get('code');
    const state = query.get('state');
    const iss = query.get('iss');
    // The answer is not left in the address bar or the history.
    window.history.replaceState(null, '', window.location.pathname);
    if (!code || !state) {
      setPhase('failed');
      return;
    }
    void (async () => {
      try {
        const result = await api.POST('/v1/auth/sign-in/oidc', { body: { code, state, ...(iss ? { iss } : {}) } });
        signedIn(ok(result), result.response);
        navigate('/', { replace: true });
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === 'local_factor_required') setPhase('code');
        else {
          setError(caught);
          setPhase('failed');
        }
      }
    })();
  }, [navigate, signedIn]);

  async function withCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.POST('/v1/auth/sign-in/oidc/code', { body: { code: String(form.get('code')).trim() } });
      signedIn(ok(result), result.response);
      navigate('/', { replace: true });
    } catch (caught) {
      // A wrong code ends the attempt: the person starts again.
      setError(caught);
      setPhase('failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('signIn.title')}>
      <ErrorMessage error={error} />
      {phase === 'completing' && <p role="status">{t('signIn.oidcCompleting')}</p>}
      {phase === 'code' && (
        <form onSubmit={(event) => void withCode(event)}>
          <p>{t('signIn.localFactorText')}</p>
          <Field label={t('fields.code')} hint={t('fields.codeHint')} name="code" autoComplete="one-time-code" inputMode="text" spellCheck={false} required />
          <button type="submit" disabled={busy}>
            {t('signIn.submit')}
          </button>
        </form>
      )}
      {phase === 'failed' && (
        <p>
          {error === undefined && t('signIn.oidcFailed')} <Link to="/sign-in">{t('signIn.oidcRetry')}</Link>
        </p>
      )}
    </Page>
  );
}
