import { useId, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok, type UserCreated, type UserRole } from '../api/client.ts';
import { ErrorMessage } from '../auth/ErrorMessage.tsx';
import { Field } from '../auth/Field.tsx';
import { useWithStepUp } from '../auth/step-up.tsx';
import { Page } from '../shell/Page.tsx';
import { ROLES } from '../shell/roles.ts';

const USERS = ['admin', 'users'] as const;

/** Operators: the accounts of this node, and a new account with its one-time enrolment link. */
export function PeoplePage() {
  const { t } = useTranslation();
  const withStepUp = useWithStepUp();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: USERS, queryFn: async () => ok(await api.GET('/admin/v1/users')) });
  const [created, setCreated] = useState<UserCreated>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const roleId = useId();
  const linkId = useId();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { username: String(form.get('username')).trim(), roles: [String(form.get('role')) as UserRole] };
    setBusy(true);
    setError(undefined);
    try {
      const result = await withStepUp(async () => ok(await api.POST('/admin/v1/users', { body })));
      if (result) {
        setCreated(result);
        await queryClient.invalidateQueries({ queryKey: USERS });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('people.title')}>
      <section aria-labelledby="new-account">
        <h2 id="new-account">{t('people.newAccount')}</h2>
        <ErrorMessage error={error} />
        <form onSubmit={(event) => void create(event)}>
          <Field label={t('fields.username')} hint={t('people.usernameHint')} name="username" autoComplete="off" autoCapitalize="none" spellCheck={false} pattern="[a-z0-9][a-z0-9._\-]{1,63}" required />
          <div className="field">
            <label htmlFor={roleId}>{t('people.role')}</label>
            <select id={roleId} name="role" defaultValue="case_worker">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`roles.${role}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={busy}>
            {t('people.create')}
          </button>
        </form>
        {created && (
          <div className="notice" role="status">
            <p>{t('people.created', { username: created.user.username })}</p>
            <label htmlFor={linkId}>{t('people.enrolmentLink')}</label>
            <input id={linkId} readOnly value={created.enrolment.url} onFocus={(event) => event.currentTarget.select()} />
            <p className="hint">{t('people.enrolmentLinkHint')}</p>
          </div>
        )}
      </section>
      <section aria-labelledby="accounts">
        <h2 id="accounts">{t('people.accounts')}</h2>
        <ErrorMessage error={users.error ?? undefined} />
        {users.data && (
          <table>
            <caption>{t('people.caption', { count: users.data.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('fields.username')}</th>
                <th scope="col">{t('people.roles')}</th>
                <th scope="col">{t('people.status')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <tr key={user.id}>
                  <td>{user.username}</td>
                  <td>{user.roles.map((role) => t(`roles.${role}`)).join(', ')}</td>
                  <td>{t(`userStatus.${user.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
