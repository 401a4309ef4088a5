import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router';
import { App } from './App';
import { meOf, renderAt, task } from './test/render';
import { mockFetch } from './test/fetchMock';

afterEach(() => {
  vi.unstubAllGlobals();
});

function Where() {
  const l = useLocation();
  return <output data-testid="where">{l.pathname + l.search}</output>;
}

function app() {
  return (
    <>
      <App />
      <Routes>
        <Route path="*" element={<Where />} />
      </Routes>
    </>
  );
}

const emptyPage = { items: [], page: { totalItems: 0 } };

describe('App', () => {
  it('sends a user with the user role from / to the Tasklist, and keeps them out of the inspector', async () => {
    mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'none' } }),
      'GET /v2/authentication/me': () => ({ body: meOf({ authorizedComponents: ['tasklist'], roles: ['user'] }) }),
      'POST /v2/user-tasks/search': () => ({ body: { items: [task], page: { totalItems: 1 } } }),
    });
    renderAt('/', app());
    expect(await screen.findByText('Approve order')).toBeInTheDocument();
    expect(screen.getByTestId('where')).toHaveTextContent('/tasklist');
    expect(screen.queryByRole('link', { name: 'Instances' })).not.toBeInTheDocument();
  });

  it('shows a forbidden problem on an inspector URL for a user', async () => {
    mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'none' } }),
      'GET /v2/authentication/me': () => ({ body: meOf({ authorizedComponents: ['tasklist'], roles: ['user'] }) }),
    });
    renderAt('/inspector/instances/1', app());
    expect(await screen.findByRole('alert')).toHaveTextContent('Forbidden');
  });

  it('sends an operator from / to the Tasklist too, with the inspector in the menu', async () => {
    mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'none' } }),
      'GET /v2/authentication/me': () => ({ body: meOf({}) }),
      'POST /v2/user-tasks/search': () => ({ body: emptyPage }),
    });
    renderAt('/', app());
    expect(await screen.findByRole('link', { name: 'Instances' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent('/tasklist'));
  });

  it('sends an unauthenticated user to the login form in basic mode and back after it', async () => {
    let signedIn = false;
    const calls = mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'basic' } }),
      'GET /v2/authentication/me': () =>
        signedIn ? { body: meOf({}) } : { status: 401, body: { type: 'about:blank', title: 'UNAUTHORIZED', status: 401, detail: 'no credentials' } },
      'POST /auth/login': (c) => {
        const b = c.body as { username: string; password: string };
        if (b.password !== 'right') return { status: 401, body: { type: 'about:blank', title: 'UNAUTHORIZED', status: 401, detail: 'bad user name or password' } };
        signedIn = true;
        return { status: 204 };
      },
      'POST /v2/user-tasks/search': () => ({ body: emptyPage }),
    });
    renderAt('/tasklist?view=mine', app());
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('User name'), 'ann');
    expect(screen.getByTestId('where')).toHaveTextContent('/login?returnTo=%2Ftasklist%3Fview%3Dmine');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('bad user name or password');
    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'right');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent('/tasklist?view=mine'));
    expect(calls.filter((c) => c.path === '/auth/login')).toHaveLength(2);
  });

  it('sends the user to log in when the session ends mid-way (any 401)', async () => {
    let expired = false;
    const unauthorized = { status: 401, body: { type: 'about:blank', title: 'UNAUTHORIZED', status: 401, detail: 'the session ended' } };
    mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'basic' } }),
      'GET /v2/authentication/me': () => (expired ? unauthorized : { body: meOf({}) }),
      'POST /v2/user-tasks/search': () => (expired ? unauthorized : { body: emptyPage }),
    });
    renderAt('/tasklist', app());
    const user = userEvent.setup();
    await screen.findByText('No tasks match these filters.');
    expired = true;
    await user.click(screen.getByRole('radio', { name: 'Unassigned' }));
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent('/login?returnTo=%2Ftasklist%3Fview%3Dunassigned'));
  });

  it('shows the problem when who-am-I fails, not a blank page', async () => {
    mockFetch({
      'GET /auth/config': () => ({ body: { mode: 'none' } }),
      'GET /v2/authentication/me': () => ({ status: 503, body: { type: 'about:blank', title: 'UNAVAILABLE', status: 503, detail: 'the store cannot be read' } }),
    });
    renderAt('/tasklist', app());
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('UNAVAILABLE');
    expect(alert).toHaveTextContent('the store cannot be read');
  });

  it('treats an engine without /auth/config as mode none', async () => {
    mockFetch({
      'GET /v2/authentication/me': () => ({ body: meOf({}) }),
      'POST /v2/user-tasks/search': () => ({ body: emptyPage }),
    });
    renderAt('/tasklist', app());
    expect(await screen.findByText('No tasks match these filters.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
  });
});
