import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, apiText, csrfToken, headersFor } from './client';
import { ApiError } from './problem';
import { mockFetch } from '../test/fetchMock';

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'wf_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('csrfToken', () => {
  it('finds wf_csrf among other cookies', () => {
    expect(csrfToken('a=1; wf_csrf=tok%2Fen; b=2')).toBe('tok/en');
    expect(csrfToken('wf_csrf=abc')).toBe('abc');
  });
  it('does not match a cookie whose name only ends with wf_csrf', () => {
    expect(csrfToken('x_wf_csrf=nope')).toBeUndefined();
    expect(csrfToken('')).toBeUndefined();
  });
});

describe('headersFor', () => {
  it('sends the CSRF token on state-changing methods only', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(headersFor(m, false, 'application/json', 'wf_csrf=t1')['X-CSRF-Token']).toBe('t1');
    }
    expect(headersFor('GET', false, 'application/json', 'wf_csrf=t1')['X-CSRF-Token']).toBeUndefined();
  });
  it('sends no token header without the cookie', () => {
    expect(headersFor('POST', true, 'application/json', '')).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json' });
  });
});

describe('api', () => {
  it('posts JSON with the CSRF header from the cookie', async () => {
    document.cookie = 'wf_csrf=secret-1';
    const calls = mockFetch({ 'POST /v2/user-tasks/search': () => ({ body: { items: [], page: { totalItems: 0 } } }) });
    const r = await api<{ items: unknown[] }>('/v2/user-tasks/search', { method: 'POST', body: { page: { limit: 1 } } });
    expect(r.items).toEqual([]);
    expect(calls[0]?.headers['X-CSRF-Token']).toBe('secret-1');
    expect(calls[0]?.body).toEqual({ page: { limit: 1 } });
  });

  it('gives undefined for a 204', async () => {
    mockFetch({ 'POST /v2/incidents/1/resolution': () => ({ status: 204 }) });
    await expect(api('/v2/incidents/1/resolution', { method: 'POST' })).resolves.toBeUndefined();
  });

  it('throws the problem of a failed call', async () => {
    mockFetch({ 'GET /v2/user-tasks/9': () => ({ status: 404, body: { type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: 'no user task 9' } }) });
    const err = await api('/v2/user-tasks/9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problem).toMatchObject({ title: 'NOT_FOUND', detail: 'no user task 9', status: 404 });
  });

  it('reads text answers', async () => {
    mockFetch({ 'GET /v2/process-definitions/1/xml': () => ({ text: '<definitions/>' }) });
    await expect(apiText('/v2/process-definitions/1/xml')).resolves.toBe('<definitions/>');
  });
});
