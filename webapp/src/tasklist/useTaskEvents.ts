import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

/**
 * useTaskEvents refetches the task queries when the server says a user task
 * changed (GET /v2/x/user-tasks/events). It gives whether the stream is up;
 * while it is not, the list polls instead.
 */
export function useTaskEvents(): boolean {
  const qc = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/v2/x/user-tasks/events');
    es.onopen = () => {
      setLive(true);
    };
    es.onerror = () => {
      setLive(false);
    };
    es.addEventListener('changed', () => {
      void qc.invalidateQueries({ queryKey: ['tasks'] });
      void qc.invalidateQueries({ queryKey: ['task'] });
    });
    return () => {
      es.close();
    };
  }, [qc]);
  return live;
}
