import type { PageResponse } from '../api/types';

/** hasNextPage says whether a page follows page number index (0-based) of limit items. */
export function hasNextPage(page: PageResponse | undefined, index: number, limit: number, shown: number): boolean {
  if (!page?.endCursor || shown === 0) return false;
  return index * limit + shown < page.totalItems || page.hasMoreTotalItems === true;
}

/** Pager moves through a cursor-paged search: previous/next and the total. */
export function Pager({
  page,
  index,
  limit,
  shown,
  onPrev,
  onNext,
  label,
}: {
  page?: PageResponse;
  index: number;
  limit: number;
  shown: number;
  onPrev: () => void;
  onNext: () => void;
  label: string;
}) {
  const total = page?.totalItems ?? 0;
  const first = shown === 0 ? 0 : index * limit + 1;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={onPrev} disabled={index === 0}>
        Previous
      </button>
      <span aria-live="polite">
        {first}–{index * limit + shown} of {total}
        {page?.hasMoreTotalItems ? '+' : ''}
      </span>
      <button type="button" onClick={onNext} disabled={!hasNextPage(page, index, limit, shown)}>
        Next
      </button>
    </nav>
  );
}
