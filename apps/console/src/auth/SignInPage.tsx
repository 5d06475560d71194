import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client.ts';
import { Page } from '../shell/Page.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Field } from './Field.tsx';
import { useSession } from './session.tsx';
import { passkeysSupported, usePasskey } from './webauthn.ts';

export function SignInPage() {
  const { t } = useTranslation();
  const { state, signedIn } = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const options = useQuery({ queryKey: ['auth', 'options'], queryFn: async () => ok(await api.GET('/v1/auth/options')) });
  const reason = state.status === 'signed-out' ? state.reason : undefined;

  async function withPasskey() {
    setBusy(true);
    setError(undefined);
    try {
      const challenge = ok(await api.POST('/v1/auth/sign-in/passkey/options'));
      const credential = await usePasskey(challenge.publicKey);
      const result = await api.POST('/v1/auth/sign-in/passkey', { body: { challengeId: challenge.challengeId, credential } });
      signedIn(ok(result), result.response);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function withOidc() {
    setBusy(true);
    setError(undefined);
    try {
      const { authorizationUrl } = ok(await api.POST('/v1/auth/sign-in/oidc/start'));
      window.location.assign(authorizationUrl);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  async function withPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.POST('/v1/auth/sign-in/password', {
        body: { username: String(form.get('username')).trim(), password: String(form.get('password')), code: String(form.get('code')).trim() },
      });
      signedIn(ok(result), result.response);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('signIn.title')}>
      {reason && (
        <p className="notice" role="status">
          {t(`signIn.reason.${reason}`)}
        </p>
      )}
      <ErrorMessage error={error} />
      {options.data?.oidc && (
        <section aria-labelledby="oidc-heading">
          <h2 id="oidc-heading">{t('signIn.oidcHeading')}</h2>
          <button type="button" onClick={() => void withOidc()} disabled={busy}>
            {t('signIn.withOidc', { label: options.data.oidc.label })}
          </button>
        </section>
      )}
      {options.data?.passkey !== false && passkeysSupported() && (
        <section aria-labelledby="passkey-heading">
          <h2 id="passkey-heading">{t('signIn.passkeyHeading')}</h2>
          <p>{t('signIn.passkeyText')}</p>
          <button type="button" onClick={() => void withPasskey()} disabled={busy}>
            {t('signIn.withPasskey')}
          </button>
        </section>
      )}
      {options.data?.password !== false && (
        <section aria-labelledby="password-heading">
          <h2 id="password-heading">{t('signIn.passwordHeading')}</h2>
          <form onSubmit={(event) => void withPassword(event)}>
            <Field label={t('fields.username')} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required />
            <Field label={t('fields.password')} name="password" type="password" autoComplete="current-password" required />
            <Field label={t('fields.code')} hint={t('fields.codeHint')} name="code" autoComplete="one-time-code" inputMode="text" spellCheck={false} required />
            <button type="submit" disabled={busy}>
              {t('signIn.submit')}
            </button>
          </form>
        </section>
      )}
    </Page>
  );
}
