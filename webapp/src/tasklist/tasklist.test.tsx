import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { SessionContext } from '../auth/session';
import { TasklistPage } from './TasklistPage';
import { TaskDetailRoute, variableData } from './TaskDetail';
import { meOf, renderAt, task } from '../test/render';
import { mockFetch, type Call } from '../test/fetchMock';

afterEach(() => {
  vi.unstubAllGlobals();
});

function tasklist(me = meOf({})) {
  return (
    <SessionContext value={{ mode: 'none', me }}>
      <Routes>
        <Route path="/tasklist" element={<TasklistPage />}>
          <Route index element={<p>none</p>} />
          <Route path=":userTaskKey" element={<TaskDetailRoute />} />
        </Route>
      </Routes>
    </SessionContext>
  );
}

const searches = (calls: Call[]) => calls.filter((c) => c.path === '/v2/user-tasks/search').map((c) => c.body);

describe('TasklistPage', () => {
  it('lists tasks and searches again when a filter changes', async () => {
    const calls = mockFetch({ 'POST /v2/user-tasks/search': () => ({ body: { items: [task], page: { totalItems: 1, endCursor: 'c1' } } }) });
    renderAt('/tasklist', tasklist());
    expect(await screen.findByRole('link', { name: /Approve order/ })).toHaveAttribute('href', `/tasklist/${task.userTaskKey}`);
    const user = userEvent.setup();
    await user.click(screen.getByRole('radio', { name: 'Assigned to me' }));
    await waitFor(() => expect(searches(calls).at(-1)).toMatchObject({ filter: { assignee: 'ann', state: 'CREATED' } }));
    await user.selectOptions(screen.getByLabelText('Sort by'), 'dueDate');
    await waitFor(() => expect(searches(calls).at(-1)).toMatchObject({ sort: [{ field: 'dueDate', order: 'DESC' }] }));
  });

  it('sends one search for a word typed in a filter field, not one per key', async () => {
    const calls = mockFetch({ 'POST /v2/user-tasks/search': () => ({ body: { items: [task], page: { totalItems: 1 } } }) });
    renderAt('/tasklist', tasklist());
    await screen.findByText('Approve order');
    await userEvent.setup().type(screen.getByLabelText('Process id'), 'order');
    await waitFor(() => expect(searches(calls).at(-1)).toMatchObject({ filter: { processDefinitionId: 'order' } }));
    const partial = searches(calls).filter((b) => {
      const id = (b as { filter: { processDefinitionId?: string } }).filter.processDefinitionId;
      return id !== undefined && id !== 'order';
    });
    expect(partial).toEqual([]);
  });

  it('pages forward with the cursor and back without it', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ ...task, userTaskKey: String(1000 + i), name: `Task ${i}` }));
    const calls = mockFetch({
      'POST /v2/user-tasks/search': (c) => {
        const after = (c.body as { page: { after?: string } }).page.after;
        return after ? { body: { items: [{ ...task, name: 'Last task' }], page: { totalItems: 51, endCursor: 'c2' } } } : { body: { items: many, page: { totalItems: 51, endCursor: 'c1' } } };
      },
    });
    renderAt('/tasklist', tasklist());
    const user = userEvent.setup();
    await screen.findByText('Task 0');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Last task')).toBeInTheDocument();
    expect(searches(calls).at(-1)).toMatchObject({ page: { limit: 50, after: 'c1' } });
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Previous' }));
    expect(await screen.findByText('Task 0')).toBeInTheDocument();
  });

  it('shows a search problem as its title and detail', async () => {
    mockFetch({ 'POST /v2/user-tasks/search': () => ({ status: 400, body: { type: 'about:blank', title: 'INVALID_ARGUMENT', status: 400, detail: 'unknown sort field' } }) });
    renderAt('/tasklist', tasklist());
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('INVALID_ARGUMENT');
    expect(alert).toHaveTextContent('unknown sort field');
  });
});

class FakeEventSource {
  static last: FakeEventSource | undefined;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, () => void>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: () => void) {
    this.listeners.set(type, fn);
  }
  close() {
    this.closed = true;
  }
}

describe('live refresh', () => {
  it('searches again on a changed event and says when it falls back to polling', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const calls = mockFetch({ 'POST /v2/user-tasks/search': () => ({ body: { items: [task], page: { totalItems: 1 } } }) });
    const view = renderAt('/tasklist', tasklist());
    await screen.findByText('Approve order');
    expect(screen.getByText('Connecting for live updates…')).toBeInTheDocument();
    const es = FakeEventSource.last;
    expect(es?.url).toBe('/v2/x/user-tasks/events');
    act(() => es?.onopen?.());
    expect(screen.getByText('Updates live.')).toBeInTheDocument();
    const before = searches(calls).length;
    act(() => es?.listeners.get('changed')?.());
    await waitFor(() => expect(searches(calls).length).toBe(before + 1));
    act(() => es?.onerror?.());
    expect(screen.getByText('Refreshes every 10 seconds.')).toBeInTheDocument();
    view.unmount();
    expect(es?.closed).toBe(true);
  });
});

describe('TaskDetail', () => {
  it('claims a task and completes it with JSON variables when it has no form', async () => {
    let assignee: string | undefined;
    let state = 'CREATED';
    const next = { ...task, userTaskKey: '77', name: 'Next task', assignee: 'ann' };
    const calls = mockFetch({
      'POST /v2/user-tasks/search': () => ({ body: { items: [next], page: { totalItems: 1 } } }),
      [`GET /v2/user-tasks/${task.userTaskKey}`]: () => ({ body: { ...task, assignee, state } }),
      'GET /v2/user-tasks/77': () => ({ body: next }),
      'POST /v2/user-tasks/77/variables/search': () => ({ body: { items: [], page: { totalItems: 0 } } }),
      'GET /v2/user-tasks/77/form': () => ({ status: 204 }),
      [`POST /v2/user-tasks/${task.userTaskKey}/variables/search`]: () => ({
        body: { items: [{ name: 'amount', value: '42', variableKey: '7', scopeKey: '1', processInstanceKey: '1', tenantId: '<default>' }], page: { totalItems: 1 } },
      }),
      [`GET /v2/user-tasks/${task.userTaskKey}/form`]: () => ({ status: 204 }),
      [`POST /v2/user-tasks/${task.userTaskKey}/assignment`]: (c) => {
        assignee = (c.body as { assignee: string }).assignee;
        return { status: 204 };
      },
      [`POST /v2/user-tasks/${task.userTaskKey}/completion`]: () => {
        state = 'COMPLETED';
        return { status: 204 };
      },
    });
    renderAt(`/tasklist/${task.userTaskKey}`, tasklist());
    const user = userEvent.setup();
    const detail = await screen.findByRole('article');
    expect(within(detail).getByRole('heading', { name: 'Approve order' })).toBeInTheDocument();
    expect(await within(detail).findByText('amount')).toBeInTheDocument();
    await user.click(within(detail).getByRole('button', { name: 'Claim' }));
    expect(await within(detail).findByRole('button', { name: 'Unclaim' })).toBeInTheDocument();
    const editor = await within(detail).findByLabelText('Variables to complete with (JSON object)');
    await user.clear(editor);
    await user.type(editor, '[[1]');
    await user.click(within(detail).getByRole('button', { name: 'Complete task' }));
    expect(await within(detail).findByRole('alert')).toHaveTextContent('must be a JSON object');
    await user.clear(editor);
    await user.type(editor, '{{"approved": true}');
    await user.click(within(detail).getByRole('button', { name: 'Complete task' }));
    expect(await within(detail).findByRole('status')).toHaveTextContent('Task completed.');
    const done = calls.find((c) => c.path.endsWith('/completion'));
    expect(done?.body).toEqual({ variables: { approved: true } });
    // The next task starts fresh: not shown as completed.
    await user.click(await screen.findByRole('link', { name: /Next task/ }));
    expect(await screen.findByRole('heading', { name: 'Next task' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Complete task' })).toBeInTheDocument();
    expect(screen.queryByText('Task completed.')).not.toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith('/assignment'))?.body).toEqual({ assignee: 'ann', allowOverride: true });
  });

  it('shows a completion problem', async () => {
    mockFetch({
      'POST /v2/user-tasks/search': () => ({ body: { items: [], page: { totalItems: 0 } } }),
      [`GET /v2/user-tasks/${task.userTaskKey}`]: () => ({ body: { ...task, assignee: 'ann' } }),
      [`POST /v2/user-tasks/${task.userTaskKey}/variables/search`]: () => ({ body: { items: [], page: { totalItems: 0 } } }),
      [`GET /v2/user-tasks/${task.userTaskKey}/form`]: () => ({ status: 204 }),
      [`POST /v2/user-tasks/${task.userTaskKey}/completion`]: () => ({ status: 404, body: { title: 'NOT_FOUND', status: 404, detail: 'task already completed' } }),
    });
    renderAt(`/tasklist/${task.userTaskKey}`, tasklist());
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Complete task' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('task already completed');
  });
});

it('variableData parses JSON text values', () => {
  const v = (name: string, value: string) => ({ name, value, variableKey: '1', scopeKey: '1', processInstanceKey: '1', tenantId: 't' });
  expect(variableData([v('a', '1'), v('b', '"x"'), v('c', 'not json')])).toEqual({ a: 1, b: 'x', c: 'not json' });
});
