// Problems are RFC 9457 documents; every API error reaches the UI as one.

/** Problem is an RFC 9457 problem document as the engine sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
}

/** ApiError carries the problem of a failed request. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * parseProblem turns a response body into a problem. A body that is not a
 * problem document (a proxy's HTML page, an empty body) still gives one,
 * titled by the status, so the UI never shows a blank error.
 */
export function parseProblem(status: number, statusText: string, body: string): Problem {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = undefined;
  }
  const fallbackTitle = statusText || `HTTP ${status}`;
  if (isRecord(doc)) {
    const title = typeof doc.title === 'string' && doc.title !== '' ? doc.title : fallbackTitle;
    const p: Problem = {
      type: typeof doc.type === 'string' ? doc.type : 'about:blank',
      title,
      status: typeof doc.status === 'number' ? doc.status : status,
    };
    if (typeof doc.detail === 'string') p.detail = doc.detail;
    if (typeof doc.instance === 'string') p.instance = doc.instance;
    return p;
  }
  const text = body.trim();
  const p: Problem = { type: 'about:blank', title: fallbackTitle, status };
  if (text !== '' && !text.startsWith('<')) p.detail = text.slice(0, 500);
  return p;
}

/** toProblem describes any thrown value as a problem. */
export function toProblem(err: unknown): Problem {
  if (err instanceof ApiError) return err.problem;
  if (err instanceof Error) {
    return { type: 'about:blank', title: 'Request failed', status: 0, detail: err.message };
  }
  return { type: 'about:blank', title: 'Request failed', status: 0, detail: String(err) };
}
