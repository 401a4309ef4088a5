// Filters live in the URL (bookmarkable views) and become search requests here.
import type { FilterValue, Me, PageRequest, SearchRequest } from './types';

export type TaskView = 'mine' | 'groups' | 'unassigned' | 'all';
export const taskSortFields = ['creationDate', 'dueDate', 'followUpDate', 'priority', 'name'] as const;
export type TaskSortField = (typeof taskSortFields)[number];

/** TaskFilters are the Tasklist's filters. Dates are YYYY-MM-DD (UTC days). */
export interface TaskFilters {
  view: TaskView;
  state: '' | 'CREATED' | 'COMPLETED' | 'CANCELED';
  process: string;
  dueFrom: string;
  dueTo: string;
  followUpFrom: string;
  followUpTo: string;
  sort: TaskSortField;
  order: 'ASC' | 'DESC';
}

export const defaultTaskFilters: TaskFilters = {
  view: 'all',
  state: 'CREATED',
  process: '',
  dueFrom: '',
  dueTo: '',
  followUpFrom: '',
  followUpTo: '',
  sort: 'creationDate',
  order: 'DESC',
};

function oneOf<T extends string>(v: string | null, allowed: readonly T[], dflt: T): T {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : dflt;
}

const dayRe = /^\d{4}-\d{2}-\d{2}$/;
function day(v: string | null): string {
  return v !== null && dayRe.test(v) ? v : '';
}

/** taskFiltersFromParams reads filters from a URL; unknown values fall back to the defaults. */
export function taskFiltersFromParams(p: URLSearchParams): TaskFilters {
  return {
    view: oneOf(p.get('view'), ['mine', 'groups', 'unassigned', 'all'], defaultTaskFilters.view),
    state: p.has('state') ? oneOf(p.get('state'), ['', 'CREATED', 'COMPLETED', 'CANCELED'], '') : defaultTaskFilters.state,
    process: p.get('process') ?? '',
    dueFrom: day(p.get('dueFrom')),
    dueTo: day(p.get('dueTo')),
    followUpFrom: day(p.get('followUpFrom')),
    followUpTo: day(p.get('followUpTo')),
    sort: oneOf(p.get('sort'), taskSortFields, defaultTaskFilters.sort),
    order: oneOf(p.get('order'), ['ASC', 'DESC'], defaultTaskFilters.order),
  };
}

/** filtersToParams writes the values that differ from the defaults. */
export function filtersToParams<T extends object>(f: T, defaults: T): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of Object.keys(f) as (keyof T & string)[]) {
    const v = f[k];
    if (v !== defaults[k]) p.set(k, String(v));
  }
  return p;
}

/** nextDay gives the day after a YYYY-MM-DD day, as YYYY-MM-DD. */
export function nextDay(d: string): string {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** dayRange is a date-time filter for the UTC days from..to, both included. */
export function dayRange(from: string, to: string): FilterValue | undefined {
  const r: { $gte?: string; $lt?: string } = {};
  if (from) r.$gte = `${from}T00:00:00Z`;
  if (to) r.$lt = `${nextDay(to)}T00:00:00Z`;
  return from || to ? r : undefined;
}

/**
 * taskQuery builds the user-task search of the filters for the caller.
 * It gives null when the view cannot match anything (no candidate groups,
 * no user name), so the list says so without asking the server.
 */
export function taskQuery(f: TaskFilters, who: Pick<Me, 'username' | 'groups'>, page: PageRequest): SearchRequest | null {
  const filter: Record<string, FilterValue> = {};
  switch (f.view) {
    case 'mine':
      if (!who.username) return null;
      filter.assignee = who.username;
      break;
    case 'groups':
      if (who.groups.length === 0) return null;
      filter.candidateGroup = { $in: [...who.groups] };
      break;
    case 'unassigned':
      filter.assignee = { $exists: false };
      break;
    case 'all':
      break;
  }
  if (f.state) filter.state = f.state;
  if (f.process) filter.processDefinitionId = f.process;
  const due = dayRange(f.dueFrom, f.dueTo);
  if (due) filter.dueDate = due;
  const followUp = dayRange(f.followUpFrom, f.followUpTo);
  if (followUp) filter.followUpDate = followUp;
  return { filter, sort: [{ field: f.sort, order: f.order }], page };
}

/** InstanceFilters are the inspector's instance-list filters. */
export interface InstanceFilters {
  state: '' | 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  incident: '' | 'yes' | 'no';
  process: string;
  version: string;
  startFrom: string;
  startTo: string;
  endFrom: string;
  endTo: string;
  varName: string;
  varValue: string;
}

export const defaultInstanceFilters: InstanceFilters = {
  state: '',
  incident: '',
  process: '',
  version: '',
  startFrom: '',
  startTo: '',
  endFrom: '',
  endTo: '',
  varName: '',
  varValue: '',
};

export function instanceFiltersFromParams(p: URLSearchParams): InstanceFilters {
  const version = p.get('version') ?? '';
  return {
    state: oneOf(p.get('state'), ['', 'ACTIVE', 'COMPLETED', 'TERMINATED'], ''),
    incident: oneOf(p.get('incident'), ['', 'yes', 'no'], ''),
    process: p.get('process') ?? '',
    version: /^\d+$/.test(version) ? version : '',
    startFrom: day(p.get('startFrom')),
    startTo: day(p.get('startTo')),
    endFrom: day(p.get('endFrom')),
    endTo: day(p.get('endTo')),
    varName: p.get('varName') ?? '',
    varValue: p.get('varValue') ?? '',
  };
}

/**
 * variableValueJSON gives the JSON text a variable filter compares with:
 * what the user typed when it is JSON (42, true, "x", {...}), else the
 * typed text as a JSON string.
 */
export function variableValueJSON(typed: string): string {
  try {
    JSON.parse(typed);
    return typed.trim();
  } catch {
    return JSON.stringify(typed);
  }
}

/** variableQuery finds the variables the variable filter names (null when it is unset). */
export function variableQuery(f: InstanceFilters): SearchRequest | null {
  if (!f.varName) return null;
  const filter: Record<string, FilterValue> = { name: f.varName };
  if (f.varValue !== '') filter.value = variableValueJSON(f.varValue);
  return { filter, page: { limit: 1000 } };
}

/**
 * instanceQuery builds the process-instance search. instanceKeys, when given,
 * are the instances the variable filter matched (the API has no variable
 * filter on instances): an empty list matches nothing and gives null.
 */
export function instanceQuery(f: InstanceFilters, page: PageRequest, instanceKeys?: string[]): SearchRequest | null {
  const filter: Record<string, FilterValue> = {};
  if (f.state) filter.state = f.state;
  if (f.incident) filter.hasIncident = f.incident === 'yes';
  if (f.process) filter.processDefinitionId = f.process;
  if (f.version) filter.processDefinitionVersion = Number(f.version);
  const start = dayRange(f.startFrom, f.startTo);
  if (start) filter.startDate = start;
  const end = dayRange(f.endFrom, f.endTo);
  if (end) filter.endDate = end;
  if (instanceKeys) {
    if (instanceKeys.length === 0) return null;
    filter.processInstanceKey = { $in: [...new Set(instanceKeys)] };
  }
  return { filter, sort: [{ field: 'startDate', order: 'DESC' }], page };
}
