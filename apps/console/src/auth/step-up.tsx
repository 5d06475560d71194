import { createContext, useCallback, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, ApiError } from '../api/client.ts';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Field } from './Field.tsx';
import { useSession } from './session.tsx';
import { passkeysSupported, usePasskey } from './webauthn.ts';

type Confirm = () => Promise<boolean>;
const StepUpContext = createContext<Confirm | undefined>(undefined);

/**
 * Runs a sensitive operation; when the node answers `step_up_required`, asks the person for a fresh
 * factor and runs it once more. Answers false when they cancel.
 */
export function useWithStepUp(): <T>(operation: () => Promise<T>) => Promise<T | undefined> {
  const confirm = useContext(StepUpContext);
  if (!confirm) throw new Error('useWithStepUp outside StepUpProvider');
  return useCallback(
    async <T,>(operation: () => Promise<T>) => {
      try {
        return await operation();
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'step_up_required') throw error;
        if (!(await confirm())) return undefined;
        return operation();
      }
    },
    [confirm],
  );
}

export function StepUpProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<((confirmed: boolean) => void) | undefined>();
  const confirm = useCallback<Confirm>(() => new Promise((resolve) => setPending(() => resolve)), []);
  const finish = (confirmed: boolean) => {
    pending?.(confirmed);
    setPending(undefined);
  };
  return (
    <StepUpContext.Provider value={confirm}>
      {children}
      {pending && <StepUpDialog onDone={finish} />}
    </StepUpContext.Provider>
  );
}

function StepUpDialog({ onDone }: { onDone: (confirmed: boolean) => void }) {
  const { t } = useTranslation();
  const { state, signedIn } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const factors = state.status === 'signed-in' ? state.info.user.factors : undefined;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  async function run(step: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await step();
      onDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const withPasskey = () =>
    run(async () => {
      const challenge = ok(await api.POST('/v1/auth/step-up/passkey/options'));
      const credential = await usePasskey(challenge.publicKey);
      const result = await api.POST('/v1/auth/step-up/passkey', { body: { challengeId: challenge.challengeId, credential } });
      signedIn(ok(result), result.response);
    });

  const withPassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    return run(async () => {
      const result = await api.POST('/v1/auth/step-up/password', { body: { password: String(form.get('password')), code: String(form.get('code')).trim() } });
      signedIn(ok(result), result.response);
    });
  };

  return (
    <dialog ref={dialog} aria-labelledby="step-up-title" onCancel={() => onDone(false)}>
      <h2 id="step-up-title">{t('stepUp.title')}</h2>
      <p>{t('stepUp.text')}</p>
      <ErrorMessage error={error} />
      {factors && factors.passkeys.length > 0 && passkeysSupported() && (
        <p>
          <button type="button" onClick={() => void withPasskey()} disabled={busy}>
            {t('stepUp.withPasskey')}
          </button>
        </p>
      )}
      {factors?.password && (
        <form onSubmit={(event) => void withPassword(event)}>
          <Field label={t('fields.password')} name="password" type="password" autoComplete="current-password" required />
          <Field label={t('fields.code')} hint={t('fields.codeHint')} name="code" autoComplete="one-time-code" required />
          <button type="submit" disabled={busy}>
            {t('stepUp.submit')}
          </button>
        </form>
      )}
      <p>
        <button type="button" className="secondary" onClick={() => onDone(false)} disabled={busy}>
          {t('stepUp.cancel')}
        </button>
      </p>
    </dialog>
  );
}
