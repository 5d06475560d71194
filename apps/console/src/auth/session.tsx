import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ok, onServerContact, onUnauthorized, serverDate, setCsrfToken, ApiError, type SessionInfo } from '../api/client.ts';
import { openSessionChannel, type SessionMessage, type SignedOutReason } from './session-channel.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: SignedOutReason }
  | { status: 'signed-in'; info: SessionInfo; idleExpiresAt: number; idleLength: number };

interface SessionContextValue {
  state: SessionState;
  /** The node answered with the session (sign-in, enrolment, step-up, preferences); its Date header dates the timeouts. */
  signedIn(info: SessionInfo, response: Response): void;
  signOut(reason?: SignedOutReason): Promise<void>;
  /** Ask the node for the session again: proves activity, so it extends the idle timeout. */
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in session; only for pages behind RequireSession. */
export function useSignedIn(): SessionInfo {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedIn without a session');
  return state.info;
}

/** When the idle timeout ends, on this browser's clock, given the node's answer and its Date header. */
function idleDeadline(info: SessionInfo, nodeNow: number | undefined): number {
  const remaining = Date.parse(info.session.idleExpiresAt) - (nodeNow ?? Date.now());
  return Date.now() + Math.max(0, remaining);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const queryClient = useQueryClient();
  const stateRef = useRef(state);
  stateRef.current = state;
  const channel = useRef<ReturnType<typeof openSessionChannel> | undefined>(undefined);
  // The idle length the node applies: each answer from it moves the deadline by this much.
  const idleLength = useRef<number | undefined>(undefined);

  const endLocally = useCallback(
    (reason: SignedOutReason) => {
      setCsrfToken(undefined);
      // Nothing of one person's stays in memory for the next one.
      queryClient.clear();
      setState({ status: 'signed-out', reason });
    },
    [queryClient],
  );

  const signedIn = useCallback((info: SessionInfo, response: Response) => {
    setCsrfToken(info.csrfToken);
    const idleExpiresAt = idleDeadline(info, serverDate(response));
    idleLength.current = idleExpiresAt - Date.now();
    const wasSignedIn = stateRef.current.status === 'signed-in';
    setState({ status: 'signed-in', info, idleExpiresAt, idleLength: idleLength.current });
    channel.current?.post(wasSignedIn ? { type: 'deadline', idleExpiresAt } : { type: 'signed-in' });
  }, []);

  const load = useCallback(async () => {
    const result = await api.GET('/v1/auth/session');
    if (result.response.status === 401) {
      // Ended while in use: say so. Nobody signed in when the console opened: just the sign-in page.
      if (stateRef.current.status === 'signed-in') endLocally('ended');
      else if (stateRef.current.status === 'loading') setState({ status: 'signed-out' });
      return;
    }
    signedIn(ok(result), result.response);
  }, [endLocally, signedIn]);

  const signOut = useCallback(
    async (reason: SignedOutReason = 'signed-out') => {
      try {
        await api.POST('/v1/auth/sign-out');
      } catch {
        // the session may already be gone; it ends here either way
      }
      endLocally(reason);
      channel.current?.post({ type: 'signed-out', reason });
    },
    [endLocally],
  );

  useEffect(() => {
    channel.current = openSessionChannel((message: SessionMessage) => {
      const current = stateRef.current;
      if (message.type === 'signed-out' && current.status !== 'signed-out') endLocally(message.reason);
      else if (message.type === 'signed-in') void load();
      else if (message.type === 'deadline' && current.status === 'signed-in' && message.idleExpiresAt > current.idleExpiresAt)
        setState({ ...current, idleExpiresAt: message.idleExpiresAt });
    });
    const offUnauthorized = onUnauthorized(() => {
      if (stateRef.current.status === 'signed-in') endLocally('ended');
    });
    const offContact = onServerContact(() => {
      const current = stateRef.current;
      if (current.status !== 'signed-in' || idleLength.current === undefined) return;
      const idleExpiresAt = Date.now() + idleLength.current;
      setState({ ...current, idleExpiresAt });
      channel.current?.post({ type: 'deadline', idleExpiresAt });
    });
    load().catch((error: unknown) => {
      // The node could not be asked (e.g. it is restarting): show the sign-in page rather than nothing.
      if (!(error instanceof ApiError) && !(error instanceof TypeError)) throw error;
      setState({ status: 'signed-out' });
    });
    return () => {
      offUnauthorized();
      offContact();
      channel.current?.close();
    };
  }, [endLocally, load]);

  const refresh = useCallback(() => load(), [load]);
  const value = useMemo(() => ({ state, signedIn, signOut, refresh }), [state, signedIn, signOut, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
