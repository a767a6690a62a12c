import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { components } from '@agentq/client';
import { api, errorMessage, setCsrfToken } from './api';

export type ConsoleSession = components['schemas']['ConsoleSessionView'];

interface SessionState {
  session: ConsoleSession | null;
  checking: boolean;
  signIn(body: { token: string } | { loginToken: string }): Promise<string | null>;
  signOut(): Promise<void>;
  canWrite: boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session (read back from the cookie on load) and sign-in/out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [checking, setChecking] = useState(true);
  const adopt = (next: ConsoleSession | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  };
  useEffect(() => {
    api.GET('/v1/console/sessions/current').then(
      ({ data }) => {
        adopt(data ?? null);
        setChecking(false);
      },
      () => setChecking(false),
    );
  }, []);
  const signIn = useCallback(async (body: { token: string } | { loginToken: string }) => {
    const { data, error } = await api.POST('/v1/console/sessions', { body });
    if (!data) return errorMessage(error);
    adopt(data);
    return null;
  }, []);
  const signOut = useCallback(async () => {
    await api.DELETE('/v1/console/sessions/current');
    adopt(null);
  }, []);
  const canWrite = Boolean(session?.scopes.includes('write'));
  return (
    <SessionContext.Provider value={{ session, checking, signIn, signOut, canWrite }}>
      {children}
    </SessionContext.Provider>
  );
}
