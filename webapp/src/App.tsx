import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { authConfig, logout, me, type AuthMode } from './api/endpoints';
import { ApiError } from './api/problem';
import { canInspect, canTasklist, homePath, SessionContext, useSession } from './auth/session';
import { Login } from './auth/Login';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ProblemView } from './components/ProblemView';
import { TasklistPage } from './tasklist/TasklistPage';
import { TaskDetailRoute } from './tasklist/TaskDetail';
import { StartList, StartProcess } from './tasklist/StartProcess';

// The inspector (and with it bpmn-js) loads only on inspector routes. On an
// inspector URL it starts loading at once, beside the session requests, and
// once loaded it renders without suspending (a suspended render is revealed
// no sooner than React's 300 ms fallback throttle).
let inspectorLoaded: ComponentType | undefined;
const loadInspector = () =>
  import('./inspector/Inspector').then((m) => {
    inspectorLoaded = m.default;
    return m;
  });
const LazyInspector = lazy(loadInspector);
if (typeof window !== 'undefined' && window.location.pathname.startsWith('/inspector')) void loadInspector();

function InspectorRoute() {
  const Loaded = inspectorLoaded;
  if (Loaded) return <Loaded />;
  return (
    <Suspense fallback={<p aria-busy="true">Loading the inspector…</p>}>
      <LazyInspector />
    </Suspense>
  );
}

async function loadAuthConfig(): Promise<{ mode: AuthMode }> {
  try {
    return await authConfig();
  } catch (e) {
    // An engine without the login routes runs without login.
    if (e instanceof ApiError && e.status === 404) return { mode: 'none' };
    throw e;
  }
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route path="*" element={<RequireSession />}>
        <Route element={<Layout />}>
          <Route index element={<Home />} />
          <Route path="tasklist" element={<Allowed component="tasklist" />}>
            <Route element={<TasklistPage />}>
              <Route index element={<p className="empty">Select a task to see it here.</p>} />
              <Route path="start" element={<StartList />} />
              <Route path="start/:processDefinitionKey" element={<StartProcess />} />
              <Route path=":userTaskKey" element={<TaskDetailRoute />} />
            </Route>
          </Route>
          <Route path="inspector/*" element={<Allowed component="operate" />}>
            <Route path="*" element={<InspectorRoute />} />
          </Route>
          <Route path="*" element={<ProblemView error={new ApiError({ type: 'about:blank', title: 'Not found', status: 404, detail: 'There is no page at this address.' })} />} />
        </Route>
      </Route>
    </Routes>
  );
}

/** RequireSession loads who the user is, and sends them to log in when they are not. */
function RequireSession() {
  const location = useLocation();
  const config = useQuery({ queryKey: ['auth-config'], queryFn: loadAuthConfig, staleTime: Infinity });
  const who = useQuery({ queryKey: ['me'], queryFn: me, staleTime: 60_000 });
  const returnTo = location.pathname + location.search;
  const unauthenticated = who.error instanceof ApiError && who.error.status === 401;
  const mode = config.data?.mode;
  useEffect(() => {
    if (unauthenticated && mode === 'oidc') {
      window.location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    }
  }, [unauthenticated, mode, returnTo]);
  if (config.error) return <ProblemView error={config.error} onRetry={() => void config.refetch()} />;
  if (unauthenticated && mode === 'basic') {
    return <Navigate to={`/login?returnTo=${encodeURIComponent(returnTo)}`} replace />;
  }
  if (unauthenticated && mode === 'oidc') return <p aria-busy="true">Signing in…</p>;
  if (who.error) return <ProblemView error={who.error} onRetry={() => void who.refetch()} />;
  if (!config.data || !who.data) return <p aria-busy="true">Loading…</p>;
  return (
    <SessionContext value={{ mode: config.data.mode, me: who.data }}>
      <Outlet />
    </SessionContext>
  );
}

function Home() {
  const { me: user } = useSession();
  return <Navigate to={homePath(user)} replace />;
}

function Allowed({ component }: { component: 'tasklist' | 'operate' }) {
  const { me: user } = useSession();
  const ok = component === 'tasklist' ? canTasklist(user) : canInspect(user);
  if (!ok) {
    return (
      <ProblemView
        error={new ApiError({ type: 'about:blank', title: 'Forbidden', status: 403, detail: `Your roles (${user.roles.join(', ') || 'none'}) do not allow this part of the app.` })}
      />
    );
  }
  return <Outlet />;
}

function Layout() {
  const { me: user, mode } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const out = useMutation({
    mutationFn: logout,
    onSuccess: (r) => {
      qc.clear();
      const to = r.redirect ?? '/';
      if (/^https?:\/\//.test(to)) window.location.assign(to);
      else void navigate(mode === 'basic' ? '/login' : to);
    },
  });
  return (
    <div className="app">
      <header className="topbar">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">wf-engine</span>
        <nav aria-label="Main">
          {canTasklist(user) && <NavLink to="/tasklist">Tasklist</NavLink>}
          {canInspect(user) && <NavLink to="/inspector/instances">Instances</NavLink>}
          {canInspect(user) && <NavLink to="/inspector/processes">Processes</NavLink>}
        </nav>
        <span className="who">{user.displayName ?? user.username ?? user.clientId ?? ''}</span>
        {mode !== 'none' && (
          <button type="button" onClick={() => out.mutate()} disabled={out.isPending}>
            Log out
          </button>
        )}
      </header>
      {out.error && <ProblemView error={out.error} />}
      <main id="main">
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
