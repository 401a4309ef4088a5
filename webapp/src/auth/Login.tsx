import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { authConfig, login } from '../api/endpoints';
import { ProblemView } from '../components/ProblemView';
import { safeReturnTo } from './session';

/** Login is the basic-mode sign-in form. */
export function Login() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const returnTo = safeReturnTo(params.get('returnTo'));
  // The form is basic mode's; with OIDC the provider signs people in, and with none nobody must.
  const config = useQuery({ queryKey: ['auth-config', 'login'], queryFn: authConfig, retry: false });
  const mode = config.data?.mode;
  useEffect(() => {
    if (mode === 'oidc') window.location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    else if (mode === 'none') void navigate(returnTo, { replace: true });
  }, [mode, returnTo, navigate]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const m = useMutation({
    mutationFn: () => login(username, password),
    onSuccess: async () => {
      await qc.resetQueries({ queryKey: ['me'] });
      void navigate(returnTo, { replace: true });
    },
  });
  return (
    <main id="main" className="login">
      <h1>Sign in to wf-engine</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <label htmlFor="login-user">User name</label>
        <input id="login-user" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={m.isPending}>
          Sign in
        </button>
      </form>
      {m.error && <ProblemView error={m.error} />}
    </main>
  );
}
