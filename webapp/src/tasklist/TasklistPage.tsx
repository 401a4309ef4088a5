import { useId } from 'react';
import { Link, NavLink, Outlet, useMatch, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { searchTasks } from '../api/endpoints';
import { defaultTaskFilters, filtersToParams, taskFiltersFromParams, taskQuery, taskSortFields, type TaskFilters } from '../api/filters';
import { canInspect, useSession } from '../auth/session';
import { Pager } from '../components/Pager';
import { ProblemView } from '../components/ProblemView';
import { usePaging } from '../components/usePaging';
import { useTaskEvents } from './useTaskEvents';
import { useDebounced } from '../components/useDebounced';
import { formatDate } from '../components/format';
import { ProcessIds } from '../components/ProcessIds';

const pageSize = 50;

/** TasklistPage is the task list with its filters, beside the selected task. */
export function TasklistPage() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = taskFiltersFromParams(params);
  const settled = useDebounced(filters, 250);
  const paging = usePaging(pageSize, JSON.stringify(settled));
  const events = useTaskEvents();
  const live = events === 'live';
  const query = taskQuery(settled, me, paging.page);
  const tasks = useQuery({
    queryKey: ['tasks', query],
    queryFn: () => (query ? searchTasks(query) : Promise.resolve({ items: [], page: { totalItems: 0 } })),
    placeholderData: keepPreviousData,
    refetchInterval: live ? false : 10_000,
  });
  const taskMatch = useMatch('/tasklist/:key');
  const startMatch = useMatch('/tasklist/start/*');
  const detailOpen = taskMatch !== null || startMatch !== null;
  const set = (patch: Partial<TaskFilters>) => {
    setParams(filtersToParams({ ...filters, ...patch }, defaultTaskFilters), { replace: true });
  };
  const search = params.toString() ? `?${params.toString()}` : '';
  const items = tasks.data?.items ?? [];
  return (
    <div className={`split ${detailOpen ? 'detail-open' : ''}`}>
      <section className="list-pane" aria-labelledby="tasks-h">
        <div className="pane-head">
          <h1 id="tasks-h">Tasks</h1>
          {/* Starting a process is an operator's right (POST /v2/process-instances). */}
          {canInspect(me) && (
            <Link className="button" to={`/tasklist/start${search}`}>
              Start a process
            </Link>
          )}
        </div>
        <TaskFilterForm filters={filters} set={set} />
        {query === null && (
          <p className="empty">{filters.view === 'groups' ? 'You are in no candidate groups.' : 'You have no user name to be assigned tasks.'}</p>
        )}
        {tasks.error && <ProblemView error={tasks.error} onRetry={() => void tasks.refetch()} />}
        <ul className="task-list" aria-label="Tasks" aria-busy={tasks.isFetching}>
          {items.map((t) => (
            <li key={t.userTaskKey}>
              <NavLink to={`/tasklist/${t.userTaskKey}${search}`} className="task-item">
                <span className="task-name">{t.name}</span>
                <span className="task-process">{t.processName || t.processDefinitionId}</span>
                <span className="task-meta">
                  {t.assignee ? `Assigned to ${t.assignee}` : 'Unassigned'}
                  {t.dueDate && ` · due ${formatDate(t.dueDate)}`}
                  {t.state !== 'CREATED' && ` · ${t.state.toLowerCase()}`}
                </span>
              </NavLink>
            </li>
          ))}
        </ul>
        {tasks.isSuccess && items.length === 0 && query !== null && <p className="empty">No tasks match these filters.</p>}
        <Pager
          label="Task pages"
          page={tasks.data?.page}
          index={paging.index}
          limit={paging.limit}
          shown={items.length}
          onPrev={paging.prev}
          onNext={() => paging.next(tasks.data?.page.endCursor)}
        />
        <p className="hint" aria-live="polite">
          {events === 'live' ? 'Updates live.' : events === 'polling' ? 'Refreshes every 10 seconds.' : 'Connecting for live updates…'}
        </p>
      </section>
      <section className="detail-pane" aria-label="Selected task">
        {detailOpen && (
          <Link className="back" to={`/tasklist${search}`}>
            ← All tasks
          </Link>
        )}
        <Outlet />
      </section>
    </div>
  );
}

function TaskFilterForm({ filters, set }: { filters: TaskFilters; set: (p: Partial<TaskFilters>) => void }) {
  const id = useId();
  const { me } = useSession();
  return (
    <form className="filters" aria-label="Task filters" onSubmit={(e) => e.preventDefault()}>
      <fieldset className="views">
        <legend>Show</legend>
        {(
          [
            ['all', 'All I may see'],
            ['mine', 'Assigned to me'],
            ['groups', 'My candidate groups'],
            ['unassigned', 'Unassigned'],
          ] as const
        ).map(([v, label]) => (
          <label key={v}>
            <input type="radio" name="view" value={v} checked={filters.view === v} onChange={() => set({ view: v })} />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="filter-grid">
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={filters.state} onChange={(e) => set({ state: e.target.value as TaskFilters['state'] })}>
          <option value="CREATED">Open</option>
          <option value="COMPLETED">Completed</option>
          <option value="CANCELED">Canceled</option>
          <option value="">Any</option>
        </select>
        <label htmlFor={`${id}-process`}>Process id</label>
        <input id={`${id}-process`} value={filters.process} placeholder="any" list={`${id}-ids`} onChange={(e) => set({ process: e.target.value.trim() })} />
        {canInspect(me) && <ProcessIds id={`${id}-ids`} />}
        <label htmlFor={`${id}-duefrom`}>Due from</label>
        <input id={`${id}-duefrom`} type="date" value={filters.dueFrom} onChange={(e) => set({ dueFrom: e.target.value })} />
        <label htmlFor={`${id}-dueto`}>Due to</label>
        <input id={`${id}-dueto`} type="date" value={filters.dueTo} onChange={(e) => set({ dueTo: e.target.value })} />
        <label htmlFor={`${id}-fufrom`}>Follow-up from</label>
        <input id={`${id}-fufrom`} type="date" value={filters.followUpFrom} onChange={(e) => set({ followUpFrom: e.target.value })} />
        <label htmlFor={`${id}-futo`}>Follow-up to</label>
        <input id={`${id}-futo`} type="date" value={filters.followUpTo} onChange={(e) => set({ followUpTo: e.target.value })} />
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <select id={`${id}-sort`} value={filters.sort} onChange={(e) => set({ sort: e.target.value as TaskFilters['sort'] })}>
          {taskSortFields.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-order`}>Order</label>
        <select id={`${id}-order`} value={filters.order} onChange={(e) => set({ order: e.target.value as TaskFilters['order'] })}>
          <option value="DESC">Newest first</option>
          <option value="ASC">Oldest first</option>
        </select>
      </div>
    </form>
  );
}
