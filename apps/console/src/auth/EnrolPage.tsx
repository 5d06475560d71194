import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, ok, type Enrolled, type TotpSetup } from '../api/client.ts';
import { Page } from '../shell/Page.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Field } from './Field.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';
import { useSession } from './session.tsx';
import { createPasskey, passkeysSupported } from './webauthn.ts';

/**
 * The enrolment link carries its token in the fragment (`/console/enrol#<token>`), which browsers never
 * send. It is read once and removed from the address bar and history, then kept only in memory.
 */
function takeTokenFromFragment(): string {
  const token = window.location.hash.replace(/^#/, '');
  if (token) window.history.replaceState(window.history.state, '', window.location.pathname);
  return token;
}

/** Four characters at a time, so a person can type the key into an app without losing their place. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function EnrolPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [token] = useState(takeTokenFromFragment);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [totp, setTotp] = useState<TotpSetup>();
  const [enrolled, setEnrolled] = useState<Enrolled>();
  const enrolment = useQuery({
    queryKey: ['enrolment', token],
    queryFn: async () => ok(await api.POST('/v1/auth/enrolment', { body: { token } })),
    enabled: token !== '',
    retry: false,
    gcTime: 0,
  });

  async function run(step: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const withPasskey = () =>
    run(async () => {
      const challenge = ok(await api.POST('/v1/auth/enrolment/passkey/options', { body: { token } }));
      const credential = await createPasskey(challenge.publicKey);
      const result = await api.POST('/v1/auth/enrolment/passkey', { body: { token, challengeId: challenge.challengeId, credential } });
      const done = ok(result);
      setEnrolled(done);
      signedIn(done.signedIn, result.response);
    });

  const startTotp = () => run(async () => setTotp(ok(await api.POST('/v1/auth/enrolment/totp', { body: { token } }))));

  const withPassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password'));
    return run(async () => {
      if (password !== String(form.get('repeat'))) throw new MismatchedPasswords();
      const result = await api.POST('/v1/auth/enrolment/password', { body: { token, password, totpCode: String(form.get('totpCode')).trim() } });
      const done = ok(result);
      setEnrolled(done);
      signedIn(done.signedIn, result.response);
    });
  };

  if (enrolled) return <RecoveryCodes codes={enrolled.recoveryCodes} onDone={() => navigate('/')} />;

  const methods = enrolment.data?.methods ?? [];
  return (
    <Page title={t('enrol.title')}>
      {(token === '' || enrolment.isError) && (
        <p className="error" role="alert">
          {t('errors.enrolment_invalid')}
        </p>
      )}
      {enrolment.data && (
        <>
          <p>{t('enrol.intro', { username: enrolment.data.username })}</p>
          {error instanceof MismatchedPasswords ? (
            <p className="error" role="alert">
              {t('errors.passwordsDiffer')}
            </p>
          ) : (
            <ErrorMessage error={error} />
          )}
          {methods.includes('passkey') && passkeysSupported() && (
            <section aria-labelledby="enrol-passkey">
              <h2 id="enrol-passkey">{t('enrol.passkeyHeading')}</h2>
              <p>{t('enrol.passkeyText')}</p>
              <button type="button" onClick={() => void withPasskey()} disabled={busy}>
                {t('enrol.withPasskey')}
              </button>
            </section>
          )}
          {methods.includes('password') && (
            <section aria-labelledby="enrol-password">
              <h2 id="enrol-password">{t('enrol.passwordHeading')}</h2>
              <p>{t('enrol.passwordText')}</p>
              {!totp ? (
                <button type="button" className="secondary" onClick={() => void startTotp()} disabled={busy}>
                  {t('enrol.startPassword')}
                </button>
              ) : (
                <form onSubmit={(event) => void withPassword(event)}>
                  <div className="field">
                    <p id="totp-key-label">{t('enrol.totpKey')}</p>
                    <p className="secret" aria-labelledby="totp-key-label" data-secret={totp.secret}>
                      {grouped(totp.secret)}
                    </p>
                  </div>
                  <Field label={t('fields.totpCode')} hint={t('fields.totpCodeHint')} name="totpCode" autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" required />
                  <Field label={t('fields.newPassword')} hint={t('fields.newPasswordHint')} name="password" type="password" autoComplete="new-password" minLength={15} required />
                  <Field label={t('fields.repeatPassword')} name="repeat" type="password" autoComplete="new-password" minLength={15} required />
                  <button type="submit" disabled={busy}>
                    {t('enrol.submitPassword')}
                  </button>
                </form>
              )}
            </section>
          )}
        </>
      )}
    </Page>
  );
}

class MismatchedPasswords extends Error {}
