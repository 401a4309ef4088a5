// The API client: same-origin fetch with the session cookie, the CSRF header
// on state-changing calls, and problems turned into ApiError.
import { ApiError, parseProblem } from './problem';

/** csrfToken reads the double-submit token from the wf_csrf cookie. */
export function csrfToken(cookie: string = document.cookie): string | undefined {
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === 'wf_csrf') {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** RequestOptions are the options of one API call. */
export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** accept is the Accept header (JSON by default). */
  accept?: string;
}

/** headersFor gives the headers of a request: JSON, and the CSRF token when the method changes state. */
export function headersFor(method: string, hasBody: boolean, accept: string, cookie?: string): Record<string, string> {
  const h: Record<string, string> = { Accept: accept };
  if (hasBody) h['Content-Type'] = 'application/json';
  if (!safeMethods.has(method.toUpperCase())) {
    const token = csrfToken(cookie);
    if (token) h['X-CSRF-Token'] = token;
  }
  return h;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const method = opts.method ?? 'GET';
  const hasBody = opts.body !== undefined;
  const accept = opts.accept ?? 'application/json';
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headersFor(method, hasBody, accept),
    body: hasBody ? JSON.stringify(opts.body) : undefined,
    signal: opts.signal,
  });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new ApiError(parseProblem(res.status, res.statusText, text));
  }
  return res;
}

/** api calls a JSON route; a 204 answer gives undefined. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (text === '') return undefined as T;
  return JSON.parse(text) as T;
}

/** apiText calls a route that answers text (a process definition's XML). */
export async function apiText(path: string, opts: RequestOptions = {}): Promise<string> {
  const res = await send(path, { ...opts, accept: opts.accept ?? 'text/xml, application/json' });
  return res.text();
}
