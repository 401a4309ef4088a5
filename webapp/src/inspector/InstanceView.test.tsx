import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { InstanceView } from './InstanceView';
import { renderAt } from '../test/render';
import { mockFetch } from '../test/fetchMock';

// bpmn-js needs a real layout engine; the diagram is covered by the browser tests.
vi.mock('./Diagram', () => ({
  default: ({ label, counts }: { label: string; counts?: Map<string, { active: number }> }) => (
    <figure aria-label={label} data-testid="diagram">
      {[...(counts ?? new Map<string, { active: number }>())].map(([id, c]) => (
        <span key={id}>
          {id}:{c.active}
        </span>
      ))}
    </figure>
  ),
}));

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'wf_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

const page = (items: unknown[]) => ({ body: { items, page: { totalItems: items.length } } });
const instance = {
  processInstanceKey: '1',
  processDefinitionKey: '2',
  processDefinitionId: 'charge',
  processDefinitionName: 'Charge card',
  processDefinitionVersion: 1,
  startDate: '2026-12-06T08:00:00Z',
  state: 'ACTIVE',
  hasIncident: true,
  tenantId: '<default>',
  parentProcessInstanceKey: '9',
};

function routes() {
  return {
    'GET /v2/process-instances/1': () => ({ body: instance }),
    'GET /v2/process-instances/1/statistics/element-instances': () => ({ body: { items: [{ elementId: 'task', active: 1, canceled: 0, incidents: 1, completed: 0 }] } }),
    'POST /v2/process-instances/search': () => page([]),
    'GET /v2/process-definitions/2/xml': () => ({ text: '<definitions/>' }),
    'POST /v2/element-instances/search': () =>
      page([{ elementInstanceKey: '5', processInstanceKey: '1', processDefinitionKey: '2', elementId: 'task', elementName: 'Charge', type: 'SERVICE_TASK', state: 'ACTIVE', hasIncident: true, startDate: '2026-12-06T08:00:00Z' }]),
    'POST /v2/variables/search': () => page([{ name: 'card', value: '"4111"', variableKey: '6', scopeKey: '1', processInstanceKey: '1', tenantId: '<default>' }]),
    'POST /v2/incidents/search': () => page([{ incidentKey: '7', jobKey: '8', processInstanceKey: '1', elementId: 'task', elementInstanceKey: '5', errorType: 'JOB_NO_RETRIES', errorMessage: 'card declined', state: 'ACTIVE' }]),
    'PATCH /v2/jobs/8': () => ({ status: 204 }),
    'POST /v2/incidents/7/resolution': () => ({ status: 204 }),
    'PUT /v2/element-instances/1/variables': () => ({ status: 204 }),
    'GET /v2/x/process-instances/1/history': () => ({
      body: {
        items: [
          { position: 3, timestamp: '2026-12-06T08:00:00Z', valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATED', key: '5', elementId: 'task', elementInstanceKey: '5' },
          { position: 4, timestamp: '2026-12-06T08:00:01Z', valueType: 'VARIABLE', intent: 'CREATED', key: '6', name: 'card', value: '4111', scopeKey: '1' },
        ],
        page: { totalItems: 2, hasMoreTotalItems: false, endCursor: '4' },
      },
    }),
  };
}

function view() {
  return (
    <Routes>
      <Route path="/inspector/instances/:processInstanceKey" element={<InstanceView />} />
    </Routes>
  );
}

describe('InstanceView', () => {
  it('shows the instance with its parent, tree, counts and variables', async () => {
    mockFetch(routes());
    renderAt('/inspector/instances/1', view());
    expect(await screen.findByRole('heading', { name: /Charge card/ })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'instance 9' })).toHaveAttribute('href', '/inspector/instances/9');
    expect(await screen.findByText('task:1')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /^Charge service task/ })).toBeInTheDocument();
    expect(await screen.findByText('"4111"')).toBeInTheDocument();
  });

  it('retries an incident: job retries first, then the resolution, each with the CSRF header', async () => {
    document.cookie = 'wf_csrf=tok-9';
    const calls = mockFetch(routes());
    renderAt('/inspector/instances/1', view());
    const incident = await screen.findByTestId('incident');
    expect(incident).toHaveTextContent('card declined');
    const user = userEvent.setup();
    await user.clear(within(incident).getByLabelText('Retries'));
    await user.type(within(incident).getByLabelText('Retries'), '3');
    await user.click(within(incident).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(calls.some((c) => c.path === '/v2/incidents/7/resolution')).toBe(true));
    const changes = calls.filter((c) => c.method !== 'GET' && !c.path.endsWith('/search'));
    expect(changes.map((c) => `${c.method} ${c.path}`)).toEqual(['PATCH /v2/jobs/8', 'POST /v2/incidents/7/resolution']);
    expect(changes[0]?.body).toEqual({ changeset: { retries: 3 } });
    expect(changes.every((c) => c.headers['X-CSRF-Token'] === 'tok-9')).toBe(true);
  });

  it('edits a variable in its scope and refuses a value that is not JSON', async () => {
    const calls = mockFetch(routes());
    renderAt('/inspector/instances/1', view());
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit card' }));
    const input = screen.getByLabelText('card');
    await user.clear(input);
    await user.type(input, 'not json');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByText(/the value must be JSON/)).toBeInTheDocument();
    await user.clear(input);
    await user.type(input, '"5555"');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ variables: { card: '5555' }, local: true }));
  });

  it('replays the history and shows the variables as of a record', async () => {
    mockFetch(routes());
    renderAt('/inspector/instances/1', view());
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Replay history' }));
    expect(await screen.findByTestId('replay-status')).toHaveTextContent('2 of 2 records');
    expect(within(screen.getByTestId('replayed-variables')).getByText('"4111"')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Step back' }));
    expect(screen.getByTestId('replay-status')).toHaveTextContent('1 of 2 records');
    expect(within(screen.getByTestId('replayed-variables')).queryByText('"4111"')).not.toBeInTheDocument();
    expect(screen.getByText('task:1')).toBeInTheDocument();
  });

  it('shows a problem for an unknown instance', async () => {
    mockFetch({});
    renderAt('/inspector/instances/1', view());
    expect(await screen.findByRole('alert')).toHaveTextContent('no route GET /v2/process-instances/1');
  });
});
