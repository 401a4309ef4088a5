import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cancelInstance, searchInstances, searchVariables } from '../api/endpoints';
import { defaultInstanceFilters, filtersToParams, instanceFiltersFromParams, instanceQuery, variableQuery, type InstanceFilters } from '../api/filters';
import { Pager } from '../components/Pager';
import { ProblemView } from '../components/ProblemView';
import { usePaging } from '../components/usePaging';
import { formatDate } from '../components/format';
import { ProcessIds } from '../components/ProcessIds';
import { useDebounced } from '../components/useDebounced';

const pageSize = 50;

/** cancelAll cancels instances one by one and reports each failure. */
export async function cancelAll(keys: readonly string[], cancel: (k: string) => Promise<void>): Promise<{ key: string; error: unknown }[]> {
  const failed: { key: string; error: unknown }[] = [];
  for (const k of keys) {
    try {
      await cancel(k);
    } catch (error) {
      failed.push({ key: k, error });
    }
  }
  return failed;
}

export function InstanceList() {
  const [params, setParams] = useSearchParams();
  const filters = instanceFiltersFromParams(params);
  const settled = useDebounced(filters, 250);
  const paging = usePaging(pageSize, JSON.stringify(settled));
  const qc = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const vq = variableQuery(settled);
  const vars = useQuery({ queryKey: ['variables', vq], enabled: vq !== null, queryFn: () => (vq ? searchVariables(vq) : Promise.reject(new Error('no filter'))) });
  const keys = vq === null ? undefined : vars.data?.items.map((v) => v.processInstanceKey);
  const query = vq !== null && !vars.data ? undefined : instanceQuery(settled, paging.page, keys);
  const list = useQuery({
    queryKey: ['instances', query],
    enabled: query !== undefined,
    queryFn: () => (query ? searchInstances(query) : Promise.resolve({ items: [], page: { totalItems: 0 } })),
    placeholderData: keepPreviousData,
  });
  const bulk = useMutation({
    mutationFn: () => cancelAll([...selected], cancelInstance),
    onSettled: async () => {
      setSelected(new Set());
      await qc.invalidateQueries({ queryKey: ['instances'] });
    },
  });
  const set = (patch: Partial<InstanceFilters>) => {
    setParams(filtersToParams({ ...filters, ...patch }, defaultInstanceFilters), { replace: true });
  };
  const items = list.data?.items ?? [];
  const active = items.filter((i) => i.state === 'ACTIVE');
  const allChecked = active.length > 0 && active.every((i) => selected.has(i.processInstanceKey));
  return (
    <section aria-labelledby="inst-h">
      <h1 id="inst-h">Process instances</h1>
      <InstanceFilterForm filters={filters} set={set} />
      {vars.error && <ProblemView error={vars.error} />}
      {list.error && <ProblemView error={list.error} onRetry={() => void list.refetch()} />}
      <div className="actions">
        <button
          type="button"
          disabled={selected.size === 0 || bulk.isPending}
          onClick={() => {
            if (window.confirm(`Cancel ${selected.size} instance(s)?`)) bulk.mutate();
          }}
        >
          Cancel selected ({selected.size})
        </button>
      </div>
      {bulk.data && bulk.data.length > 0 && (
        <div role="alert" className="problem">
          <strong>{bulk.data.length} instance(s) could not be canceled</strong>
          <ul>
            {bulk.data.map((f) => (
              <li key={f.key}>
                {f.key}: {f.error instanceof Error ? f.error.message : String(f.error)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <table className="grid" aria-busy={list.isFetching}>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all active instances on this page"
                checked={allChecked}
                onChange={() => setSelected(allChecked ? new Set() : new Set(active.map((i) => i.processInstanceKey)))}
              />
            </th>
            <th scope="col">Instance</th>
            <th scope="col">Process</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.processInstanceKey}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select instance ${i.processInstanceKey}`}
                  disabled={i.state !== 'ACTIVE'}
                  checked={selected.has(i.processInstanceKey)}
                  onChange={() => {
                    const s = new Set(selected);
                    if (s.has(i.processInstanceKey)) s.delete(i.processInstanceKey);
                    else s.add(i.processInstanceKey);
                    setSelected(s);
                  }}
                />
              </td>
              <td>
                <Link to={`/inspector/instances/${i.processInstanceKey}`}>{i.processInstanceKey}</Link>
              </td>
              <td>
                {i.processDefinitionName || i.processDefinitionId} v{i.processDefinitionVersion}
              </td>
              <td>
                <span className={`state state-${i.state.toLowerCase()}`}>{i.state}</span>
                {i.hasIncident && <span className="state state-incident">incident</span>}
              </td>
              <td>{formatDate(i.startDate)}</td>
              <td>{formatDate(i.endDate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.isSuccess && items.length === 0 && <p className="empty">No instances match these filters.</p>}
      <Pager
        label="Instance pages"
        page={list.data?.page}
        index={paging.index}
        limit={paging.limit}
        shown={items.length}
        onPrev={paging.prev}
        onNext={() => paging.next(list.data?.page.endCursor)}
      />
    </section>
  );
}

function InstanceFilterForm({ filters, set }: { filters: InstanceFilters; set: (p: Partial<InstanceFilters>) => void }) {
  const id = useId();
  const field = (name: keyof InstanceFilters, label: string, type = 'text', placeholder?: string, list?: string) => (
    <>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} type={type} value={filters[name]} placeholder={placeholder} list={list} onChange={(e) => set({ [name]: e.target.value })} />
    </>
  );
  return (
    <form className="filters filter-grid" aria-label="Instance filters" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={`${id}-state`}>State</label>
      <select id={`${id}-state`} value={filters.state} onChange={(e) => set({ state: e.target.value as InstanceFilters['state'] })}>
        <option value="">Any</option>
        <option value="ACTIVE">Active</option>
        <option value="COMPLETED">Completed</option>
        <option value="TERMINATED">Canceled</option>
      </select>
      <label htmlFor={`${id}-incident`}>Incident</label>
      <select id={`${id}-incident`} value={filters.incident} onChange={(e) => set({ incident: e.target.value as InstanceFilters['incident'] })}>
        <option value="">Any</option>
        <option value="yes">Has an incident</option>
        <option value="no">No incident</option>
      </select>
      {field('process', 'Process id', 'text', 'any', `${id}-ids`)}
      {field('version', 'Version', 'number', 'any', `${id}-versions`)}
      <ProcessIds id={`${id}-ids`} versionsId={`${id}-versions`} processId={filters.process} />
      {field('startFrom', 'Started from', 'date')}
      {field('startTo', 'Started to', 'date')}
      {field('endFrom', 'Ended from', 'date')}
      {field('endTo', 'Ended to', 'date')}
      {field('varName', 'Variable name')}
      {field('varValue', 'Variable value (JSON)', 'text', 'e.g. "gold" or 42')}
    </form>
  );
}
