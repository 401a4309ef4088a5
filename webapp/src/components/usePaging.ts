import { useState } from 'react';
import type { PageRequest } from '../api/types';

/**
 * usePaging keeps the cursors of the pages seen so far, so that Previous
 * goes back without offsets; a change of resetKey (the filters) starts over.
 */
export function usePaging(limit: number, resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: string[] }>({ key: resetKey, cursors: [] });
  const cursors = state.key === resetKey ? state.cursors : [];
  if (state.key !== resetKey) setState({ key: resetKey, cursors: [] });
  const after = cursors[cursors.length - 1];
  const page: PageRequest = after ? { limit, after } : { limit };
  return {
    page,
    index: cursors.length,
    limit,
    next: (endCursor: string | undefined) => {
      if (endCursor) setState({ key: resetKey, cursors: [...cursors, endCursor] });
    },
    prev: () => {
      setState({ key: resetKey, cursors: cursors.slice(0, -1) });
    },
  };
}
