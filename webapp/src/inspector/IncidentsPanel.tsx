import { useId, useState } from 'react';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { resolveIncident, searchIncidents, setJobRetries } from '../api/endpoints';
import type { Incident } from '../api/types';
import { ProblemView } from '../components/ProblemView';
import { formatDate } from '../components/format';

/** retryIncident gives the incident's job retries again (when it has a job) and resolves it. */
export async function retryIncident(
  inc: Pick<Incident, 'incidentKey' | 'jobKey'>,
  retries: number,
  api: { setJobRetries: typeof setJobRetries; resolveIncident: typeof resolveIncident } = { setJobRetries, resolveIncident },
): Promise<void> {
  if (inc.jobKey) await api.setJobRetries(inc.jobKey, retries);
  await api.resolveIncident(inc.incidentKey);
}

/** incidentsQuery reads an instance's open incidents. */
export const incidentsQuery = (processInstanceKey: string) =>
  queryOptions({
    queryKey: ['incidents', processInstanceKey],
    queryFn: () => searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' }, page: { limit: 100 } }),
  });

export function IncidentsPanel({ processInstanceKey }: { processInstanceKey: string }) {
  const qc = useQueryClient();
  const list = useQuery(incidentsQuery(processInstanceKey));
  const retry = useMutation({
    mutationFn: ({ inc, retries }: { inc: Incident; retries: number }) => retryIncident(inc, retries),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: ['incidents', processInstanceKey] });
      await qc.invalidateQueries({ queryKey: ['instance', processInstanceKey] });
      await qc.invalidateQueries({ queryKey: ['element-instances'] });
    },
  });
  return (
    <section className="incidents" aria-labelledby="inc-h">
      <h2 id="inc-h">Incidents</h2>
      {list.error && <ProblemView error={list.error} />}
      {list.data?.items.length === 0 && <p className="empty">No open incidents.</p>}
      <ul className="plain-list">
        {list.data?.items.map((inc) => (
          <IncidentItem key={inc.incidentKey} inc={inc} busy={retry.isPending} onRetry={(retries) => retry.mutate({ inc, retries })} />
        ))}
      </ul>
      {retry.error && <ProblemView error={retry.error} />}
    </section>
  );
}

function IncidentItem({ inc, busy, onRetry }: { inc: Incident; busy: boolean; onRetry: (retries: number) => void }) {
  const id = useId();
  const [retries, setRetries] = useState('1');
  const n = Number(retries);
  const valid = Number.isInteger(n) && n >= 1 && n <= 100;
  return (
    <li className="incident" data-testid="incident">
      <strong>{inc.errorType}</strong> at {inc.elementId} · {formatDate(inc.creationTime)}
      <p className="incident-message">{inc.errorMessage}</p>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid || !inc.jobKey) onRetry(valid ? n : 1);
        }}
      >
        {inc.jobKey && (
          <>
            <label htmlFor={id}>Retries</label>
            <input id={id} type="number" min={1} max={100} required value={retries} aria-invalid={!valid} onChange={(e) => setRetries(e.target.value)} />
          </>
        )}
        <button type="submit" disabled={busy || (inc.jobKey !== undefined && !valid)}>
          Retry
        </button>
      </form>
    </li>
  );
}
