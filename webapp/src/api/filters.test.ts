import { describe, expect, it } from 'vitest';
import {
  defaultInstanceFilters,
  defaultTaskFilters,
  filtersToParams,
  instanceFiltersFromParams,
  instanceQuery,
  nextDay,
  taskFiltersFromParams,
  taskQuery,
  variableQuery,
  variableValueJSON,
} from './filters';

const who = { username: 'ann', groups: ['sales', 'ops'] };
const page = { limit: 50 };

describe('taskQuery', () => {
  it('asks for open tasks newest first by default', () => {
    expect(taskQuery(defaultTaskFilters, who, page)).toEqual({
      filter: { state: 'CREATED' },
      sort: [{ field: 'creationDate', order: 'DESC' }],
      page,
    });
  });

  it('maps each view to its filter', () => {
    expect(taskQuery({ ...defaultTaskFilters, view: 'mine' }, who, page)?.filter).toMatchObject({ assignee: 'ann' });
    expect(taskQuery({ ...defaultTaskFilters, view: 'groups' }, who, page)?.filter).toMatchObject({ candidateGroup: { $in: ['sales', 'ops'] } });
    expect(taskQuery({ ...defaultTaskFilters, view: 'unassigned' }, who, page)?.filter).toMatchObject({ assignee: { $exists: false } });
  });

  it('gives null when the view cannot match', () => {
    expect(taskQuery({ ...defaultTaskFilters, view: 'groups' }, { username: 'ann', groups: [] }, page)).toBeNull();
    expect(taskQuery({ ...defaultTaskFilters, view: 'mine' }, { username: null, groups: [] }, page)).toBeNull();
  });

  it('turns day ranges into half-open date-time ranges, both days included', () => {
    const q = taskQuery({ ...defaultTaskFilters, state: '', dueFrom: '2026-02-27', dueTo: '2026-02-28', followUpTo: '2026-12-31' }, who, page);
    expect(q?.filter).toEqual({
      dueDate: { $gte: '2026-02-27T00:00:00Z', $lt: '2026-03-01T00:00:00Z' },
      followUpDate: { $lt: '2027-01-01T00:00:00Z' },
    });
  });

  it('carries the process, sort and cursor', () => {
    const q = taskQuery({ ...defaultTaskFilters, process: 'order', sort: 'dueDate', order: 'ASC' }, who, { limit: 50, after: 'c1' });
    expect(q).toMatchObject({ filter: { processDefinitionId: 'order' }, sort: [{ field: 'dueDate', order: 'ASC' }], page: { after: 'c1' } });
  });
});

describe('filters in the URL', () => {
  it('round-trips task filters and writes only what differs from the defaults', () => {
    const f = { ...defaultTaskFilters, view: 'mine' as const, state: '' as const, dueFrom: '2026-01-02' };
    const p = filtersToParams(f, defaultTaskFilters);
    expect(p.toString()).toBe('view=mine&state=&dueFrom=2026-01-02');
    expect(taskFiltersFromParams(p)).toEqual(f);
  });

  it('falls back to defaults for values it does not know', () => {
    const f = taskFiltersFromParams(new URLSearchParams('view=everything&sort=drop+table&dueFrom=yesterday'));
    expect(f).toEqual(defaultTaskFilters);
  });

  it('round-trips instance filters', () => {
    const f = { ...defaultInstanceFilters, state: 'ACTIVE' as const, incident: 'yes' as const, version: '3', varName: 'tier', varValue: 'gold' };
    expect(instanceFiltersFromParams(filtersToParams(f, defaultInstanceFilters))).toEqual(f);
    expect(instanceFiltersFromParams(new URLSearchParams('version=abc')).version).toBe('');
  });
});

describe('instanceQuery', () => {
  it('maps every filter', () => {
    const q = instanceQuery(
      { ...defaultInstanceFilters, state: 'ACTIVE', incident: 'no', process: 'order', version: '2', startFrom: '2026-01-01', endTo: '2026-01-31' },
      page,
    );
    expect(q?.filter).toEqual({
      state: 'ACTIVE',
      hasIncident: false,
      processDefinitionId: 'order',
      processDefinitionVersion: 2,
      startDate: { $gte: '2026-01-01T00:00:00Z' },
      endDate: { $lt: '2026-02-01T00:00:00Z' },
    });
  });

  it('limits to the instances a variable filter matched, once each', () => {
    expect(instanceQuery(defaultInstanceFilters, page, ['1', '2', '1'])?.filter).toEqual({ processInstanceKey: { $in: ['1', '2'] } });
    expect(instanceQuery(defaultInstanceFilters, page, [])).toBeNull();
  });
});

describe('variable filter', () => {
  it('compares JSON text: JSON as typed, anything else as a string', () => {
    expect(variableValueJSON('42')).toBe('42');
    expect(variableValueJSON(' "gold" ')).toBe('"gold"');
    expect(variableValueJSON('gold')).toBe('"gold"');
  });
  it('asks for the named variable', () => {
    expect(variableQuery(defaultInstanceFilters)).toBeNull();
    expect(variableQuery({ ...defaultInstanceFilters, varName: 'tier', varValue: 'gold' })?.filter).toEqual({ name: 'tier', value: '"gold"' });
    expect(variableQuery({ ...defaultInstanceFilters, varName: 'tier' })?.filter).toEqual({ name: 'tier' });
  });
});

it('nextDay crosses months and years', () => {
  expect(nextDay('2024-02-28')).toBe('2024-02-29');
  expect(nextDay('2026-12-31')).toBe('2027-01-01');
});
