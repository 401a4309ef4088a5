import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Replay, loadHistory } from './Replay';
import { cancelAll } from './InstanceList';
import { retryIncident } from './IncidentsPanel';
import { groupVersions } from './Processes';
import { statisticsCounts } from './statistics';
import { hasNextPage } from '../components/Pager';
import { renderAt } from '../test/render';
import type { HistoryRecord, ProcessDefinition } from '../api/types';

afterEach(() => {
  vi.unstubAllGlobals();
});

const r = (position: number, intent = 'ELEMENT_ACTIVATED'): HistoryRecord => ({
  position,
  timestamp: '2026-12-06T08:00:00Z',
  valueType: 'PROCESS_INSTANCE',
  intent,
  key: String(position),
  elementId: `e${position}`,
  elementInstanceKey: String(position),
});

describe('loadHistory', () => {
  it('reads page after page from the last position', async () => {
    const afters: (number | undefined)[] = [];
    const page = (_key: string, after?: number) => {
      afters.push(after);
      // The second page holds nothing but says where to go on.
      if (after === undefined) return Promise.resolve({ items: [r(1), r(2)], page: { totalItems: 2, hasMoreTotalItems: true, endCursor: '2' } });
      if (after === 2) return Promise.resolve({ items: [], page: { totalItems: 0, hasMoreTotalItems: true, endCursor: '4' } });
      return Promise.resolve({ items: [r(5)], page: { totalItems: 1, hasMoreTotalItems: false, endCursor: '5' } });
    };
    const out = await loadHistory('9', page);
    expect(out.map((x) => x.position)).toEqual([1, 2, 5]);
    expect(afters).toEqual([undefined, 2, 4]);
  });
});

describe('Replay', () => {
  it('steps through the records', async () => {
    const onChange = vi.fn();
    renderAt('/', <Replay records={[r(1), r(2), r(3)]} loading={false} error={null} at={2} onChange={onChange} />);
    expect(screen.getByRole('status')).toHaveTextContent('2 of 3 records · position 2');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Step forward' }));
    expect(onChange).toHaveBeenLastCalledWith(3);
    await user.click(screen.getByRole('button', { name: 'Step back' }));
    expect(onChange).toHaveBeenLastCalledWith(1);
    await user.click(screen.getByRole('button', { name: 'Back to now' }));
    expect(onChange).toHaveBeenLastCalledWith(undefined);
    expect(screen.getByRole('slider', { name: 'Record' })).toHaveValue('2');
  });

  it('offers to start replaying when it is off', async () => {
    const onChange = vi.fn();
    renderAt('/', <Replay loading={false} error={null} onChange={onChange} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Replay history' }));
    expect(onChange).toHaveBeenCalled();
  });
});

describe('actions', () => {
  it('cancelAll goes on past a failure and reports it', async () => {
    const seen: string[] = [];
    const failed = await cancelAll(['1', '2', '3'], (k) => {
      seen.push(k);
      return k === '2' ? Promise.reject(new Error('not active')) : Promise.resolve();
    });
    expect(seen).toEqual(['1', '2', '3']);
    expect(failed.map((f) => f.key)).toEqual(['2']);
  });

  it('retryIncident raises the job retries before resolving', async () => {
    const order: string[] = [];
    const api = {
      setJobRetries: (k: string, n: number) => {
        order.push(`retries ${k} ${n}`);
        return Promise.resolve();
      },
      resolveIncident: (k: string) => {
        order.push(`resolve ${k}`);
        return Promise.resolve();
      },
    };
    await retryIncident({ incidentKey: '7', jobKey: '8' }, 3, api);
    await retryIncident({ incidentKey: '9' }, 3, api);
    expect(order).toEqual(['retries 8 3', 'resolve 7', 'resolve 9']);
  });
});

it('groupVersions groups by tenant and id, newest first', () => {
  const d = (id: string, version: number, tenantId = '<default>'): ProcessDefinition => ({ processDefinitionKey: `${id}${version}${tenantId}`, processDefinitionId: id, version, tenantId });
  const g = groupVersions([d('a', 1), d('b', 1), d('a', 3), d('a', 2), d('a', 1, 't2')]);
  expect([...g.keys()]).toEqual(['<default>/a', '<default>/b', 't2/a']);
  expect(g.get('<default>/a')?.map((x) => x.version)).toEqual([3, 2, 1]);
});

it('statisticsCounts maps canceled to terminated', () => {
  expect(statisticsCounts([{ elementId: 't', active: 1, canceled: 2, incidents: 3, completed: 4 }]).get('t')).toEqual({ active: 1, terminated: 2, incidents: 3, completed: 4 });
});

it('hasNextPage', () => {
  expect(hasNextPage({ totalItems: 120, endCursor: 'c' }, 1, 50, 50)).toBe(true);
  expect(hasNextPage({ totalItems: 100, endCursor: 'c' }, 1, 50, 50)).toBe(false);
  expect(hasNextPage({ totalItems: 10000, hasMoreTotalItems: true, endCursor: 'c' }, 199, 50, 50)).toBe(true);
  expect(hasNextPage({ totalItems: 100 }, 0, 50, 50)).toBe(false);
});
