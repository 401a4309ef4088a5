import { describe, expect, it } from 'vitest';
import { ApiError, parseProblem, toProblem } from './problem';

describe('parseProblem', () => {
  it('reads an RFC 9457 problem document', () => {
    const p = parseProblem(409, 'Conflict', JSON.stringify({ type: 'about:blank', title: 'INVALID_STATE', status: 409, detail: 'expected job 1 to be failed', instance: '/v2/x' }));
    expect(p).toEqual({ type: 'about:blank', title: 'INVALID_STATE', status: 409, detail: 'expected job 1 to be failed', instance: '/v2/x' });
  });

  it('titles a JSON body without a title by the status text', () => {
    expect(parseProblem(500, 'Internal Server Error', '{"message":"x"}')).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
  });

  it('keeps a plain-text body as the detail', () => {
    expect(parseProblem(502, '', 'upstream down\n')).toEqual({ type: 'about:blank', title: 'HTTP 502', status: 502, detail: 'upstream down' });
  });

  it('drops an HTML body instead of showing markup', () => {
    expect(parseProblem(503, 'Service Unavailable', '<html><body>busy</body></html>').detail).toBeUndefined();
  });

  it('never gives an empty title', () => {
    expect(parseProblem(400, '', '{"title":""}').title).toBe('HTTP 400');
  });
});

describe('ApiError', () => {
  it('carries the problem and its status', () => {
    const e = new ApiError({ type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: 'no task 5' });
    expect(e.status).toBe(404);
    expect(e.message).toBe('NOT_FOUND: no task 5');
    expect(toProblem(e)).toBe(e.problem);
  });

  it('describes other errors as problems too', () => {
    expect(toProblem(new TypeError('Failed to fetch'))).toMatchObject({ title: 'Request failed', detail: 'Failed to fetch' });
    expect(toProblem('boom')).toMatchObject({ title: 'Request failed', detail: 'boom' });
  });
});
