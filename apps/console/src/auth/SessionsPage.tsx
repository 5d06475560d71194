import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useLanguage } from '../i18n/useLanguage.ts';
import { Page } from '../shell/Page.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { useSession } from './session.tsx';

const SESSIONS = ['auth', 'sessions'] as const;

/** "My sessions": where this person is signed in, and a way to end any of them. */
export function SessionsPage() {
  const { t } = useTranslation();
  const language = useLanguage();
  const { signOut } = useSession();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: SESSIONS, queryFn: async () => ok(await api.GET('/v1/auth/sessions')) });
  const end = useMutation({
    mutationFn: async ({ id }: { id: string; current: boolean }) => ok(await api.DELETE('/v1/auth/sessions/{sessionId}', { params: { path: { sessionId: id } } })),
    onSuccess: async (_data, { current }) => (current ? signOut('signed-out') : queryClient.invalidateQueries({ queryKey: SESSIONS })),
  });

  return (
    <Page title={t('sessions.title')}>
      <p>{t('sessions.intro')}</p>
      <ErrorMessage error={sessions.error ?? end.error ?? undefined} />
      {sessions.data && (
        <table>
          <caption>{t('sessions.caption', { count: sessions.data.items.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions.signedInAt')}</th>
              <th scope="col">{t('sessions.method')}</th>
              <th scope="col">{t('sessions.lastSeenAt')}</th>
              <th scope="col">{t('sessions.expiresAt')}</th>
              <th scope="col">{t('sessions.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.data.items.map((session) => (
              <tr key={session.id}>
                <td>
                  {formatDateTime(session.createdAt, language)}
                  {session.current && <strong> ({t('sessions.current')})</strong>}
                </td>
                <td>{t(`signInMethods.${session.method}`)}</td>
                <td>{formatDateTime(session.lastSeenAt, language)}</td>
                <td>{formatDateTime(session.expiresAt, language)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => end.mutate({ id: session.id, current: session.current })} disabled={end.isPending}>
                    {session.current ? t('shell.signOut') : t('sessions.end')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
