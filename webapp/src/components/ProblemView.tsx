import { toProblem } from '../api/problem';

/** ProblemView shows an API error as its problem's title and detail. */
export function ProblemView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const p = toProblem(error);
  return (
    <div className="problem" role="alert">
      <strong className="problem-title">{p.title}</strong>
      {p.status > 0 && <span className="problem-status"> ({p.status})</span>}
      {p.detail && <p className="problem-detail">{p.detail}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
