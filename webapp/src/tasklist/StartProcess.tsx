import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { createInstance, getDefinition, searchDefinitions, startForm } from '../api/endpoints';
import { canInspect, useSession } from '../auth/session';
import { JsonEditor } from '../components/JsonEditor';
import { ProblemView } from '../components/ProblemView';

const FormView = lazy(() => import('./FormView'));
const noData = {};

/** StartList lists the processes a user can start (their latest versions). */
export function StartList() {
  const defs = useQuery({
    queryKey: ['definitions', 'latest'],
    queryFn: () =>
      searchDefinitions({ filter: { isLatestVersion: true }, sort: [{ field: 'processDefinitionId', order: 'ASC' }], page: { limit: 200 } }),
  });
  return (
    <section aria-labelledby="start-h">
      <h2 id="start-h">Start a process</h2>
      {defs.error && <ProblemView error={defs.error} />}
      {defs.data?.items.length === 0 && <p className="empty">No processes are deployed.</p>}
      <ul className="plain-list">
        {defs.data?.items.map((d) => (
          <li key={d.processDefinitionKey}>
            <Link to={`/tasklist/start/${d.processDefinitionKey}`}>{d.name || d.processDefinitionId}</Link>{' '}
            <span className="hint">
              v{d.version}
              {d.hasStartForm ? ' · has a start form' : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** StartProcess starts one process, through its start form when it has one. */
export function StartProcess() {
  const { processDefinitionKey = '' } = useParams();
  const { me } = useSession();
  const def = useQuery({ queryKey: ['definition', processDefinitionKey], queryFn: () => getDefinition(processDefinitionKey) });
  const form = useQuery({ queryKey: ['definition', processDefinitionKey, 'form'], queryFn: () => startForm(processDefinitionKey), staleTime: Infinity });
  const start = useMutation({ mutationFn: (v: Record<string, unknown>) => createInstance(processDefinitionKey, v) });
  if (def.error) return <ProblemView error={def.error} />;
  if (!def.data) return <p aria-busy="true">Loading…</p>;
  return (
    <section aria-labelledby="startp-h">
      <h2 id="startp-h">Start {def.data.name || def.data.processDefinitionId}</h2>
      {start.data ? (
        <p role="status" className="done">
          Started instance{' '}
          {canInspect(me) ? <Link to={`/inspector/instances/${start.data.processInstanceKey}`}>{start.data.processInstanceKey}</Link> : start.data.processInstanceKey}.
        </p>
      ) : (
        <>
          {form.error && <ProblemView error={form.error} />}
          {form.isSuccess && form.data && (
            <Suspense fallback={<p aria-busy="true">Loading the form…</p>}>
              <FormView schema={form.data.schema} data={noData} submitLabel="Start" busy={start.isPending} onSubmit={(v) => start.mutate(v)} />
            </Suspense>
          )}
          {form.isSuccess && !form.data && (
            <JsonEditor label="Start variables (JSON object)" submitLabel="Start" busy={start.isPending} onSubmit={(v) => start.mutate(v)} />
          )}
        </>
      )}
      {start.error && <ProblemView error={start.error} />}
    </section>
  );
}
