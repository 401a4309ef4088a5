// One function per route the UI calls.
import { api, apiText } from './client';
import type {
  ElementInstance,
  ElementStatistics,
  Form,
  HistoryRecord,
  Incident,
  Me,
  ProcessDefinition,
  ProcessInstance,
  SearchRequest,
  SearchResult,
  UserTask,
  Variable,
} from './types';

const enc = encodeURIComponent;

export type AuthMode = 'none' | 'basic' | 'oidc';

export async function authConfig(): Promise<{ mode: AuthMode }> {
  return api<{ mode: AuthMode }>('/auth/config');
}
export const me = (): Promise<Me> => api<Me>('/v2/authentication/me');
export const login = (username: string, password: string): Promise<void> =>
  api('/auth/login', { method: 'POST', body: { username, password } });
/** logout ends the session; the answer may name where to go (the provider's end-session page). */
export const logout = async (): Promise<{ redirect?: string }> => (await api<{ redirect?: string } | undefined>('/auth/logout', { method: 'POST' })) ?? {};

// User tasks.
export const searchTasks = (q: SearchRequest): Promise<SearchResult<UserTask>> =>
  api('/v2/user-tasks/search', { method: 'POST', body: q });
export const getTask = (key: string): Promise<UserTask> => api(`/v2/user-tasks/${enc(key)}`);
export const taskVariables = (key: string): Promise<SearchResult<Variable>> =>
  api(`/v2/user-tasks/${enc(key)}/variables/search`, { method: 'POST', body: { page: { limit: 1000 } } });
/** taskForm gives the task's form, or null when it has none (204; query data cannot be undefined). */
export const taskForm = async (key: string): Promise<Form | null> => (await api<Form | undefined>(`/v2/user-tasks/${enc(key)}/form`)) ?? null;
export const assignTask = (key: string, assignee: string, allowOverride = true): Promise<void> =>
  api(`/v2/user-tasks/${enc(key)}/assignment`, { method: 'POST', body: { assignee, allowOverride } });
export const unassignTask = (key: string): Promise<void> =>
  api(`/v2/user-tasks/${enc(key)}/assignee`, { method: 'DELETE' });
export const completeTask = (key: string, variables: Record<string, unknown>): Promise<void> =>
  api(`/v2/user-tasks/${enc(key)}/completion`, { method: 'POST', body: { variables } });

// Process definitions.
export const searchDefinitions = (q: SearchRequest): Promise<SearchResult<ProcessDefinition>> =>
  api('/v2/process-definitions/search', { method: 'POST', body: q });
export const getDefinition = (key: string): Promise<ProcessDefinition> => api(`/v2/process-definitions/${enc(key)}`);
export const definitionXML = (key: string): Promise<string> => apiText(`/v2/process-definitions/${enc(key)}/xml`);
/** startForm gives the process's start form, or null when it has none. */
export const startForm = async (key: string): Promise<Form | null> => (await api<Form | undefined>(`/v2/process-definitions/${enc(key)}/form`)) ?? null;
export const definitionStatistics = (key: string): Promise<{ items: ElementStatistics[] }> =>
  api(`/v2/process-definitions/${enc(key)}/statistics/element-instances`, { method: 'POST', body: {} });
export const createInstance = (
  processDefinitionKey: string,
  variables: Record<string, unknown>,
): Promise<{ processInstanceKey: string }> =>
  api('/v2/process-instances', { method: 'POST', body: { processDefinitionKey, variables } });

// Process instances.
export const searchInstances = (q: SearchRequest): Promise<SearchResult<ProcessInstance>> =>
  api('/v2/process-instances/search', { method: 'POST', body: q });
export const getInstance = (key: string): Promise<ProcessInstance> => api(`/v2/process-instances/${enc(key)}`);
export const cancelInstance = (key: string): Promise<void> =>
  api(`/v2/process-instances/${enc(key)}/cancellation`, { method: 'POST' });
export const instanceStatistics = (key: string): Promise<{ items: ElementStatistics[] }> =>
  api(`/v2/process-instances/${enc(key)}/statistics/element-instances`);
export const instanceHistory = (key: string, after?: number): Promise<SearchResult<HistoryRecord>> =>
  api(`/v2/x/process-instances/${enc(key)}/history?limit=1000${after === undefined ? '' : `&after=${after}`}`);

// Element instances, variables, incidents, jobs.
export const searchElementInstances = (q: SearchRequest): Promise<SearchResult<ElementInstance>> =>
  api('/v2/element-instances/search', { method: 'POST', body: q });
export const searchVariables = (q: SearchRequest): Promise<SearchResult<Variable>> =>
  api('/v2/variables/search', { method: 'POST', body: q });
export const setVariables = (scopeKey: string, variables: Record<string, unknown>): Promise<void> =>
  api(`/v2/element-instances/${enc(scopeKey)}/variables`, { method: 'PUT', body: { variables, local: true } });
export const searchIncidents = (q: SearchRequest): Promise<SearchResult<Incident>> =>
  api('/v2/incidents/search', { method: 'POST', body: q });
export const setJobRetries = (jobKey: string, retries: number): Promise<void> =>
  api(`/v2/jobs/${enc(jobKey)}`, { method: 'PATCH', body: { changeset: { retries } } });
export const resolveIncident = (key: string): Promise<void> =>
  api(`/v2/incidents/${enc(key)}/resolution`, { method: 'POST' });
