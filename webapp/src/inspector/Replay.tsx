import { useEffect, useId, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { instanceHistory } from '../api/endpoints';
import type { HistoryRecord } from '../api/types';
import { describe } from '../history/fold';
import { ProblemView } from '../components/ProblemView';
import { formatDate } from '../components/format';

const maxRecords = 100_000;
const timelineWindow = 100;

/**
 * loadHistory reads all of an instance's history, page by page: a page that
 * says there is more gives the position to read after (endCursor), even
 * when it holds no records.
 */
export async function loadHistory(key: string, page: typeof instanceHistory = instanceHistory): Promise<HistoryRecord[]> {
  const out: HistoryRecord[] = [];
  let after: number | undefined;
  for (;;) {
    const r = await page(key, after);
    out.push(...r.items);
    if (!r.page.hasMoreTotalItems || out.length >= maxRecords) break;
    const next = Number(r.page.endCursor ?? r.items[r.items.length - 1]?.position);
    if (!Number.isFinite(next) || (after !== undefined && next <= after)) break;
    after = next;
  }
  return out;
}

export function useHistory(key: string, enabled: boolean) {
  return useQuery({ queryKey: ['instance', key, 'history'], enabled, queryFn: () => loadHistory(key) });
}

/**
 * Replay is the timeline of an instance's records: stepping or scrubbing to
 * record n shows the diagram and variables after the first n records.
 */
export function Replay({
  records,
  loading,
  error,
  at,
  onChange,
}: {
  records?: HistoryRecord[];
  loading: boolean;
  error: unknown;
  at?: number;
  onChange: (n: number | undefined) => void;
}) {
  const id = useId();
  const timeline = useRef<HTMLOListElement>(null);
  const n = records?.length ?? 0;
  const pos = at ?? n;
  const current = records && pos > 0 ? records[pos - 1] : undefined;
  // Keep the current record in view in the timeline as it moves.
  useEffect(() => {
    const el: Partial<HTMLElement> | null | undefined = timeline.current?.querySelector<HTMLElement>('[aria-current="step"]');
    el?.scrollIntoView?.({ block: 'nearest' }); // jsdom has none
  }, [at, records]);
  if (at === undefined) {
    return (
      <div className="replay">
        <button type="button" onClick={() => onChange(Number.MAX_SAFE_INTEGER)}>
          Replay history
        </button>
      </div>
    );
  }
  const clamped = Math.min(pos, n);
  // The timeline lists the records around the current one, not all of a long history.
  const windowStart = Math.max(0, Math.min(clamped - timelineWindow / 2, n - timelineWindow));
  return (
    <section className="replay" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>History replay</h2>
      {error !== null && error !== undefined && <ProblemView error={error} />}
      {loading && !records && <p aria-busy="true">Loading the history…</p>}
      {records && (
        <>
          <div className="replay-controls">
            <button type="button" onClick={() => onChange(0)} disabled={clamped === 0}>
              First
            </button>
            <button type="button" onClick={() => onChange(Math.max(0, clamped - 1))} disabled={clamped === 0}>
              Step back
            </button>
            <label htmlFor={`${id}-range`}>Record</label>
            <input
              id={`${id}-range`}
              type="range"
              min={0}
              max={n}
              value={clamped}
              onChange={(e) => onChange(Number(e.target.value))}
              aria-valuetext={`${clamped} of ${n}`}
            />
            <button type="button" onClick={() => onChange(Math.min(n, clamped + 1))} disabled={clamped >= n}>
              Step forward
            </button>
            <button type="button" onClick={() => onChange(n)} disabled={clamped >= n}>
              Last
            </button>
            <button type="button" onClick={() => onChange(undefined)}>
              Back to now
            </button>
          </div>
          <p className="replay-status" role="status" data-testid="replay-status">
            {clamped} of {n} records
            {current && ` · position ${current.position} · ${formatDate(current.timestamp)} · ${describe(current)}`}
          </p>
          <ol ref={timeline} className="timeline" aria-label="Records" start={windowStart + 1}>
            {records.slice(windowStart, windowStart + timelineWindow).map((r, j) => {
              const i = windowStart + j;
              return (
                <li key={r.position} className={i < clamped ? 'past' : 'future'} aria-current={i === clamped - 1 ? 'step' : undefined}>
                  <button type="button" onClick={() => onChange(i + 1)}>
                    {r.position}: {describe(r)}
                  </button>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}
