import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (call: Call) => { status?: number; body?: unknown; text?: string } | undefined;

/**
 * mockFetch replaces fetch with routes "METHOD /path" → handler and records
 * every call; an unrouted call answers a 404 problem.
 */
export function mockFetch(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const path = input.split('?')[0] ?? input;
      const call: Call = {
        method,
        path,
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
        headers: (init?.headers ?? {}) as Record<string, string>,
      };
      calls.push(call);
      const h = routes[`${method} ${path}`];
      const r = h?.(call) ?? { status: 404, body: { type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: `no route ${method} ${path}` } };
      const status = r.status ?? 200;
      const text = r.text ?? (r.body === undefined ? '' : JSON.stringify(r.body));
      return Promise.resolve(new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': 'application/json' } }));
    }),
  );
  return calls;
}
