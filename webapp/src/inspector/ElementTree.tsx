import { useState } from 'react';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { searchElementInstances } from '../api/endpoints';
import type { ElementInstance } from '../api/types';
import { ProblemView } from '../components/ProblemView';

const containerTypes = new Set(['SUB_PROCESS', 'EVENT_SUB_PROCESS', 'MULTI_INSTANCE_BODY', 'AD_HOC_SUB_PROCESS']);
const levelLimit = 1000;

interface Props {
  processInstanceKey: string;
  selectedScope: string;
  /** elementFilter shows only the instances of one element (picked on the diagram). */
  elementFilter?: string;
  onClearFilter: () => void;
  onSelect: (elementInstanceKey: string, elementId: string) => void;
  /** replaying notes that the tree shows the instance now, not the replayed position. */
  replaying?: boolean;
}

/** treeLevelQuery reads the element instances of one scope. */
export const treeLevelQuery = (scopeKey: string) =>
  queryOptions({
    queryKey: ['element-instances', scopeKey],
    queryFn: () => searchElementInstances({ filter: { elementInstanceScopeKey: scopeKey }, sort: [{ field: 'startDate', order: 'ASC' }], page: { limit: levelLimit } }),
  });

/** ElementTree is the instance's element instances, scope by scope. */
export function ElementTree({ processInstanceKey, selectedScope, elementFilter, onClearFilter, onSelect, replaying }: Props) {
  return (
    <section className="tree" aria-labelledby="tree-h">
      <h2 id="tree-h">Element instances{replaying && ' (now)'}</h2>
      {elementFilter && (
        <p className="hint">
          Showing {elementFilter} only.{' '}
          <button type="button" className="link" onClick={onClearFilter}>
            Show all
          </button>
        </p>
      )}
      <ul role="tree" aria-label="Element instances" data-testid="element-tree">
        <li role="treeitem" aria-selected={selectedScope === processInstanceKey} aria-expanded="true">
          <button type="button" className="tree-node" onClick={() => onSelect(processInstanceKey, '')}>
            Process instance {processInstanceKey}
          </button>
          <Level scopeKey={processInstanceKey} selectedScope={selectedScope} elementFilter={elementFilter} onSelect={onSelect} />
        </li>
      </ul>
    </section>
  );
}

function Level({ scopeKey, selectedScope, elementFilter, onSelect }: Omit<Props, 'processInstanceKey' | 'onClearFilter' | 'replaying'> & { scopeKey: string }) {
  const q = useQuery(treeLevelQuery(scopeKey));
  if (q.error) return <ProblemView error={q.error} />;
  if (!q.data) return <p aria-busy="true">Loading…</p>;
  const items = q.data.items.filter((e) => e.elementInstanceKey !== scopeKey);
  return (
    <ul role="group">
      {items.map((e) => (
        <Node key={e.elementInstanceKey} e={e} selectedScope={selectedScope} elementFilter={elementFilter} onSelect={onSelect} />
      ))}
      {q.data.page.totalItems > items.length && items.length >= levelLimit && (
        <li className="hint">… {q.data.page.totalItems - items.length} more not shown</li>
      )}
    </ul>
  );
}

function Node({ e, selectedScope, elementFilter, onSelect }: Omit<Props, 'processInstanceKey' | 'onClearFilter' | 'replaying'> & { e: ElementInstance }) {
  const container = containerTypes.has(e.type);
  const [open, setOpen] = useState(false);
  const hidden = elementFilter !== undefined && elementFilter !== '' && e.elementId !== elementFilter && !container;
  if (hidden) return null;
  return (
    <li role="treeitem" aria-selected={selectedScope === e.elementInstanceKey} aria-expanded={container ? open : undefined}>
      {container && (
        <button type="button" className="toggle" aria-label={open ? `Collapse ${e.elementId}` : `Expand ${e.elementId}`} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'}
        </button>
      )}
      <button type="button" className="tree-node" onClick={() => onSelect(e.elementInstanceKey, e.elementId)}>
        {e.elementName || e.elementId} <span className="hint">{e.type.toLowerCase().replace(/_/g, ' ')}</span>{' '}
        <span className={`state state-${e.state.toLowerCase()}`}>{e.state}</span>
        {e.hasIncident && <span className="state state-incident">incident</span>}
      </button>
      {container && open && <Level scopeKey={e.elementInstanceKey} selectedScope={selectedScope} elementFilter={elementFilter} onSelect={onSelect} />}
    </li>
  );
}
