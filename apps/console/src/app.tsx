import { lazy, Suspense, useEffect } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { AgentDetailPage, AgentFormPage, AgentsPage } from './pages/agents';
import { LoginPage } from './pages/login';
import { OperationsPage } from './pages/operations';
import { PlansPage } from './pages/plans';
import { RunDetailPage } from './pages/run-detail';
import { RunsPage } from './pages/runs';
import { UsagePage } from './pages/usage';
import { SessionProvider, useSession } from './session';
import { Loading } from './ui';

// The graph layout library loads with the plan page only: the first page stays small.
const PlanGraphPage = lazy(() => import('./pages/plan-graph'));

const NAV = [
  ['/runs', 'Runs'],
  ['/plans', 'Plans'],
  ['/agents', 'Agents'],
  ['/usage', 'Usage'],
  ['/operations', 'Operations'],
] as const;

function Shell() {
  const { session, checking, signOut } = useSession();
  const [location, navigate] = useLocation();
  useEffect(() => {
    if (!checking && !session && location !== '/login') {
      navigate(`/login?next=${encodeURIComponent(location)}`, { replace: true });
    }
  }, [checking, session, location, navigate]);
  if (location === '/login') return <LoginPage />;
  if (checking || !session) return <Loading what="Checking your session" />;
  return (
    <div className="shell">
      <header>
        <span className="brand">agentq</span>
        <nav aria-label="Main">
          {NAV.map(([href, label]) => (
            <Link
              key={href}
              href={href}
              className={location.startsWith(href) ? 'active' : ''}
              aria-current={location.startsWith(href) ? 'page' : undefined}
            >
              {label}
            </Link>
          ))}
        </nav>
        <span className="who">
          {session.admin ? 'admin' : session.tenantName}
          {!session.scopes.includes('write') && !session.admin && ' (read-only)'}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/">
              <Redirect to={session.admin ? '/operations' : '/runs'} />
            </Route>
            <Route path="/runs" component={RunsPage} />
            <Route path="/runs/:id">{(params) => <RunDetailPage id={params.id} />}</Route>
            <Route path="/plans" component={PlansPage} />
            <Route path="/plans/:id">{(params) => <PlanGraphPage id={params.id} />}</Route>
            <Route path="/agents" component={AgentsPage} />
            <Route path="/agents/new">{() => <AgentFormPage />}</Route>
            <Route path="/agents/:id/edit">{(params) => <AgentFormPage id={params.id} />}</Route>
            <Route path="/agents/:id">{(params) => <AgentDetailPage id={params.id} />}</Route>
            <Route path="/usage" component={UsagePage} />
            <Route path="/operations" component={OperationsPage} />
            <Route>
              <div className="empty">No such page.</div>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Router base="/console">
        <Shell />
      </Router>
    </SessionProvider>
  );
}
