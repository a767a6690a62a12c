import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useSession } from '../session';

/** Sign-in with a key or the admin token, or by a one-time link (#token=aql_…). */
export function LoginPage() {
  const { signIn, session } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const next = new URLSearchParams(search).get('next') || '/';
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const redeemed = useRef(false);

  useEffect(() => {
    const link = /^#token=(aql_[\w-]+)$/.exec(window.location.hash)?.[1];
    if (!link || redeemed.current) return;
    redeemed.current = true;
    // The token leaves the address bar and the history before anything else happens.
    window.history.replaceState(null, '', window.location.pathname);
    setBusy(true);
    void signIn({ loginToken: link }).then((error) => {
      setBusy(false);
      if (error) setProblem(error);
      else navigate(next, { replace: true });
    });
  }, [signIn, navigate, next]);

  useEffect(() => {
    if (session && !busy) navigate(next, { replace: true });
  }, [session, busy, navigate, next]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const error = await signIn({ token: token.trim() });
    setBusy(false);
    setToken('');
    if (error) setProblem(error);
    else navigate(next, { replace: true });
  };

  return (
    <main className="login">
      <h1>Sign in to agentq</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">API key or admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
      </form>
      <p className="hint">
        The key is exchanged for a session cookie that scripts cannot read; it is not kept in the
        browser. A read-only key gives a read-only console.
      </p>
    </main>
  );
}
