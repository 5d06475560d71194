import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from './session.tsx';

/** How long before the idle timeout the warning shows: two minutes, or a quarter of a short timeout. */
function warningLead(idleLength: number): number {
  return Math.min(120_000, Math.floor(idleLength / 4));
}

/**
 * Warns before the session times out for lack of activity, and signs out when it does. Every tab of
 * the console shares the deadline (session-channel.ts), so they warn and sign out together.
 */
export function IdleWarning() {
  const { t } = useTranslation();
  const { state, refresh, signOut } = useSession();
  const [now, setNow] = useState(() => Date.now());
  const dialog = useRef<HTMLDialogElement>(null);
  const idleExpiresAt = state.status === 'signed-in' ? state.idleExpiresAt : undefined;
  const lead = state.status === 'signed-in' ? warningLead(state.idleLength) : 0;
  const warning = idleExpiresAt !== undefined && now >= idleExpiresAt - lead;

  useEffect(() => {
    if (idleExpiresAt === undefined) return;
    const tick = () => setNow(Date.now());
    // Once a second while warning (the countdown), otherwise at the moment the warning is due.
    const delay = Date.now() >= idleExpiresAt - lead ? 1000 : idleExpiresAt - lead - Date.now();
    const timer = window.setTimeout(tick, Math.max(0, delay));
    return () => window.clearTimeout(timer);
  }, [idleExpiresAt, lead, now]);

  // Once: the countdown keeps ticking while the sign-out is under way.
  const signingOut = useRef(false);
  useEffect(() => {
    if (idleExpiresAt === undefined || now < idleExpiresAt || signingOut.current) return;
    signingOut.current = true;
    void signOut('timed-out');
  }, [idleExpiresAt, now, signOut]);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (warning && !element.open) element.showModal();
    if (!warning && element.open) element.close();
  }, [warning]);

  const seconds = idleExpiresAt === undefined ? 0 : Math.max(0, Math.ceil((idleExpiresAt - now) / 1000));
  return (
    <dialog ref={dialog} aria-labelledby="idle-title" aria-describedby="idle-text" onCancel={(event) => event.preventDefault()}>
      <h2 id="idle-title">{t('idle.title')}</h2>
      <p id="idle-text">{t('idle.text', { count: seconds })}</p>
      <div className="choices">
        <button type="button" onClick={() => void refresh()}>
          {t('idle.stay')}
        </button>
        <button type="button" className="secondary" onClick={() => void signOut('signed-out')}>
          {t('shell.signOut')}
        </button>
      </div>
    </dialog>
  );
}
