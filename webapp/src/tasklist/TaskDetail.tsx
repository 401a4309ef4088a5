import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { assignTask, completeTask, getTask, taskForm, taskVariables, unassignTask } from '../api/endpoints';
import type { Variable } from '../api/types';
import { canInspect, useSession, userName } from '../auth/session';
import { JsonEditor } from '../components/JsonEditor';
import { ProblemView } from '../components/ProblemView';
import { formatDate } from '../components/format';

const FormView = lazy(() => import('./FormView'));

/** variableData turns variables (values as JSON text) into form data. */
export function variableData(vars: readonly Variable[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of vars) {
    try {
      out[v.name] = JSON.parse(v.value);
    } catch {
      out[v.name] = v.value;
    }
  }
  return out;
}

/** TaskDetail shows one task: its data, variables, assignment and completion. */
export function TaskDetail() {
  const { userTaskKey = '' } = useParams();
  const { me } = useSession();
  const qc = useQueryClient();
  const task = useQuery({ queryKey: ['task', userTaskKey], queryFn: () => getTask(userTaskKey) });
  const vars = useQuery({ queryKey: ['task', userTaskKey, 'variables'], queryFn: () => taskVariables(userTaskKey) });
  const form = useQuery({ queryKey: ['task', userTaskKey, 'form'], queryFn: () => taskForm(userTaskKey), staleTime: Infinity });
  const [done, setDone] = useState(false);
  const assigneeId = useId();
  const [assignee, setAssignee] = useState('');
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['task', userTaskKey] });
    await qc.invalidateQueries({ queryKey: ['tasks'] });
  };
  const claim = useMutation({ mutationFn: (who: string) => assignTask(userTaskKey, who), onSuccess: refresh });
  const unclaim = useMutation({ mutationFn: () => unassignTask(userTaskKey), onSuccess: refresh });
  const complete = useMutation({
    mutationFn: (v: Record<string, unknown>) => completeTask(userTaskKey, v),
    onSuccess: async () => {
      setDone(true);
      await refresh();
    },
  });
  const data = useMemo(() => variableData(vars.data?.items ?? []), [vars.data]);

  if (task.error) return <ProblemView error={task.error} onRetry={() => void task.refetch()} />;
  if (!task.data) return <p aria-busy="true">Loading the task…</p>;
  const t = task.data;
  const me_ = userName(me);
  const open = t.state === 'CREATED';
  const mine = me_ !== undefined && t.assignee === me_;
  return (
    <article className="task-detail" aria-labelledby="task-h">
      <h2 id="task-h">{t.name}</h2>
      <dl className="facts">
        <dt>Process</dt>
        <dd>
          {t.processName || t.processDefinitionId} (v{t.processDefinitionVersion})
          {canInspect(me) && (
            <>
              {' · '}
              <Link to={`/inspector/instances/${t.processInstanceKey}`}>instance {t.processInstanceKey}</Link>
            </>
          )}
        </dd>
        <dt>State</dt>
        <dd>{t.state}</dd>
        <dt>Assignee</dt>
        <dd>{t.assignee ?? 'nobody'}</dd>
        {t.candidateGroups.length > 0 && (
          <>
            <dt>Candidate groups</dt>
            <dd>{t.candidateGroups.join(', ')}</dd>
          </>
        )}
        {t.candidateUsers.length > 0 && (
          <>
            <dt>Candidate users</dt>
            <dd>{t.candidateUsers.join(', ')}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{formatDate(t.creationDate)}</dd>
        {t.dueDate && (
          <>
            <dt>Due</dt>
            <dd>{formatDate(t.dueDate)}</dd>
          </>
        )}
        {t.followUpDate && (
          <>
            <dt>Follow up</dt>
            <dd>{formatDate(t.followUpDate)}</dd>
          </>
        )}
        <dt>Priority</dt>
        <dd>{t.priority}</dd>
      </dl>
      {open && (
        <div className="actions">
          {!mine && me_ && (
            <button type="button" onClick={() => claim.mutate(me_)} disabled={claim.isPending}>
              Claim
            </button>
          )}
          {t.assignee && (
            <button type="button" onClick={() => unclaim.mutate()} disabled={unclaim.isPending}>
              Unclaim
            </button>
          )}
          {/* A user may assign tasks only to itself: others are an operator's call. */}
          {canInspect(me) && (
            <form
              className="inline"
              onSubmit={(e) => {
                e.preventDefault();
                if (assignee.trim()) claim.mutate(assignee.trim());
              }}
            >
              <label htmlFor={assigneeId}>Assign to</label>
              <input id={assigneeId} value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder="user name" />
              <button type="submit" disabled={claim.isPending}>
                Assign
              </button>
            </form>
          )}
        </div>
      )}
      {claim.error && <ProblemView error={claim.error} />}
      {unclaim.error && <ProblemView error={unclaim.error} />}

      <h3>Variables</h3>
      {vars.error && <ProblemView error={vars.error} />}
      {vars.data && vars.data.items.length === 0 && <p className="empty">No variables.</p>}
      {vars.data && vars.data.items.length > 0 && (
        <table className="vars">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {vars.data.items.map((v) => (
              <tr key={v.variableKey}>
                <td>{v.name}</td>
                <td>
                  <code>{v.value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {open && !done && (
        <section aria-labelledby="complete-h">
          <h3 id="complete-h">Complete the task</h3>
          {!mine && <p className="hint">Claim the task before you complete it.</p>}
          {form.error && <ProblemView error={form.error} />}
          {form.isSuccess && vars.isSuccess && form.data && (
            <Suspense fallback={<p aria-busy="true">Loading the form…</p>}>
              <FormView schema={form.data.schema} data={data} submitLabel="Complete task" busy={complete.isPending} onSubmit={(v) => complete.mutate(v)} />
            </Suspense>
          )}
          {form.isSuccess && !form.data && (
            <JsonEditor label="Variables to complete with (JSON object)" submitLabel="Complete task" busy={complete.isPending} onSubmit={(v) => complete.mutate(v)} />
          )}
          {complete.error && <ProblemView error={complete.error} />}
        </section>
      )}
      {(done || t.state === 'COMPLETED') && (
        <p className="done" role="status">
          Task completed.
        </p>
      )}
    </article>
  );
}

/** TaskDetailRoute starts each task with fresh state (a completed task's "done" must not carry over). */
export function TaskDetailRoute() {
  const { userTaskKey } = useParams();
  return <TaskDetail key={userTaskKey} />;
}
