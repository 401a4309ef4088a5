import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

/** EventsState says how the task list learns of changes. */
export type EventsState = 'connecting' | 'live' | 'polling';

/**
 * useTaskEvents refetches the task queries when the server says a user task
 * changed (GET /v2/x/user-tasks/events). While the stream is not up (a server
 * without it, a proxy that drops it) the list polls instead; EventSource
 * reconnects by itself after a dropped stream.
 */
export function useTaskEvents(): EventsState {
  const qc = useQueryClient();
  const [state, setState] = useState<EventsState>(typeof EventSource === 'undefined' ? 'polling' : 'connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/v2/x/user-tasks/events');
    es.onopen = () => {
      setState('live');
    };
    es.onerror = () => {
      setState('polling');
    };
    es.addEventListener('changed', () => {
      void qc.invalidateQueries({ queryKey: ['tasks'] });
      void qc.invalidateQueries({ queryKey: ['task'] });
    });
    return () => {
      es.close();
    };
  }, [qc]);
  return state;
}
